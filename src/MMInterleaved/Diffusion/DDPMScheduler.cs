using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>DDPMScheduler</c> (v0.20.0, variance "fixed_small"): the ancestral step over the effective α and β of
/// the skipped steps, x_prev = μ + σz with σ² = max(β̃, 1e-20), no noise at t = 0. MM-Interleaved trains and samples with it.
/// </summary>
public sealed class DDPMScheduler(SchedulerConfig? config = null) : NoiseScheduler(config)
{
    /// <inheritdoc/>
    public override SchedulerOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null, Tensor? noise = null)
    {
        using var scope = NewDisposeScope();
        long prev = PreviousTimestep(timestep);
        float a = AlphaProduct(timestep, 1f), aPrev = AlphaProduct(prev, 1f);
        float b = 1f - a, bPrev = 1f - aPrev;
        float currentAlpha = a / aPrev, currentBeta = 1f - currentAlpha;
        var (original, _) = Predict(modelOutput, sample, a);
        float originalCoefficient = MathF.Sqrt(aPrev) * currentBeta / b;
        float sampleCoefficient = MathF.Sqrt(currentAlpha) * bPrev / b;
        var previous = original * (double)originalCoefficient + sample * (double)sampleCoefficient;
        if (timestep > 0)
        {
            float variance = Math.Max(bPrev / b * currentBeta, 1e-20f);
            previous = previous + (noise ?? Noise(modelOutput, generator)) * (double)MathF.Sqrt(variance);
        }
        return new SchedulerOutput(previous.MoveToOuterDisposeScope(), original.MoveToOuterDisposeScope());
    }
}
