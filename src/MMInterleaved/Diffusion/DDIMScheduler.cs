using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>DDIMScheduler</c> (v0.20.0): x_prev = √ᾱ′·x̂₀ + √(1 − ᾱ′ − σ²)·ε̂ + σz with σ = η·√((1−ᾱ′)/(1−ᾱ)·(1 − ᾱ/ᾱ′));
/// before the first training step ᾱ′ is 1 with <c>set_alpha_to_one</c>, else ᾱ₀ (SD's). η = 0 is deterministic.
/// </summary>
public sealed class DDIMScheduler(SchedulerConfig? config = null) : NoiseScheduler(config)
{
    /// <summary>Step noise scale η (0: deterministic DDIM; 1: DDPM-like).</summary>
    public double Eta { get; init; }

    /// <summary>ᾱ used before the first training timestep.</summary>
    public float FinalAlphaCumprod => Config.SetAlphaToOne ? 1f : AlphasCumprod[0];

    /// <inheritdoc/>
    public override SchedulerOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null, Tensor? noise = null)
    {
        if (NumInferenceSteps is null) throw new InvalidOperationException("DDIMScheduler: call SetTimesteps before Step.");
        using var scope = NewDisposeScope();
        long prev = PreviousTimestep(timestep);
        float a = AlphaProduct(timestep, FinalAlphaCumprod), aPrev = AlphaProduct(prev, FinalAlphaCumprod);
        float b = 1f - a, bPrev = 1f - aPrev;
        var (original, epsilon) = Predict(modelOutput, sample, a);
        float variance = bPrev / b * (1f - a / aPrev);
        float std = (float)Eta * MathF.Sqrt(variance);
        var previous = original * (double)MathF.Sqrt(aPrev) + epsilon * (double)MathF.Sqrt(1f - aPrev - std * std);
        if (Eta > 0) previous = previous + (noise ?? Noise(modelOutput, generator)) * (double)std;
        return new SchedulerOutput(previous.MoveToOuterDisposeScope(), original.MoveToOuterDisposeScope());
    }
}
