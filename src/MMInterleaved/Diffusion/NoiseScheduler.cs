using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// What diffusers' DDPM and DDIM schedulers share (v0.20.0): the β table (float32, as diffusers keeps it), ᾱ, the
/// inference timesteps, <see cref="AddNoise"/> for training, and the float32 step scalars. The tables live on the host,
/// not in a module, so they never become state-dict buffers.
/// </summary>
public abstract class NoiseScheduler
{
    /// <summary>Builds the tables of <paramref name="config"/>.</summary>
    protected NoiseScheduler(SchedulerConfig? config)
    {
        Config = (config ?? new SchedulerConfig()).Validated();
        int T = Config.NumTrainTimesteps;
        Betas = Config.BetaSchedule == "scaled_linear"
            ? Linspace((float)Math.Sqrt(Config.BetaStart), (float)Math.Sqrt(Config.BetaEnd), T).Select(b => b * b).ToArray()
            : Linspace((float)Config.BetaStart, (float)Config.BetaEnd, T);
        // torch.cumprod on the CPU accumulates in float64 and rounds each prefix to float32
        AlphasCumprod = new float[T];
        double product = 1;
        for (int t = 0; t < T; t++) AlphasCumprod[t] = (float)(product *= 1f - Betas[t]);
        Timesteps = Enumerable.Range(0, T).Reverse().Select(t => (long)t).ToArray();
    }

    /// <summary>
    /// torch.linspace in float32 on the CPU as diffusers 0.20 ran it (PyTorch 1.13, AVX2; the fixtures' tables): in
    /// 8-wide chunks, a chunk starting before the halfway point counts up from <paramref name="start"/>, the others from
    /// <paramref name="end"/> (base = end − step·(n − i − 1)); each chunk's base is one fused multiply-add, its lanes
    /// base + k·step. A naive start + i·step differs in the last bit from index 42 on, which moves a step by ~1e-7.
    /// </summary>
    public static float[] Linspace(float start, float end, int steps)
    {
        const int Lanes = 8;
        var values = new float[steps];
        if (steps == 1) { values[0] = start; return values; }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int chunk = 0; chunk < steps; chunk += Lanes)
        {
            bool fromStart = chunk < halfway;
            // a tail shorter than a vector runs element by element, each by its own half
            if (chunk + Lanes > steps)
            {
                for (int i = chunk; i < steps; i++)
                    values[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
                break;
            }
            float bottom = fromStart ? MathF.FusedMultiplyAdd(step, chunk, start) : MathF.FusedMultiplyAdd(-step, steps - chunk - 1, end);
            values[chunk] = bottom;
            for (int k = 1; k < Lanes; k++) values[chunk + k] = bottom + step * k;
        }
        return values;
    }

    /// <summary>The configuration.</summary>
    public SchedulerConfig Config { get; }
    /// <summary>β_t, float32.</summary>
    public float[] Betas { get; }
    /// <summary>ᾱ_t = Π(1 − β_s), float32.</summary>
    public float[] AlphasCumprod { get; }
    /// <summary>The inference timesteps, first to last (all T of them until <see cref="SetTimesteps"/>).</summary>
    public long[] Timesteps { get; private set; }
    /// <summary>Inference steps set by <see cref="SetTimesteps"/>, or null (the full chain).</summary>
    public int? NumInferenceSteps { get; private set; }

    /// <summary>Chooses <paramref name="steps"/> inference timesteps by the config's spacing ("leading": T/n·k + offset,
    /// largest first; built from k = 0…n−1, so 1000 % n ≠ 0 still gives n entries).</summary>
    public void SetTimesteps(int steps)
    {
        int T = Config.NumTrainTimesteps;
        if (steps < 1 || steps > T) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"inference steps must be between 1 and num_train_timesteps ({T}).");
        Timesteps = Config.TimestepSpacing switch
        {
            "leading" => Enumerable.Range(0, steps).Reverse().Select(k => (long)k * (T / steps) + Config.StepsOffset).ToArray(),
            "trailing" => Enumerable.Range(0, steps).Select(k => (long)Math.Round(T - k * ((double)T / steps)) - 1).ToArray(),
            _ => Enumerable.Range(0, steps).Reverse().Select(k => (long)Math.Round(k * (T - 1.0) / Math.Max(1, steps - 1))).ToArray(),
        };
        NumInferenceSteps = steps;
    }

    /// <summary>The timestep a step from <paramref name="t"/> lands on (diffusers 0.20: t − T / n).</summary>
    public long PreviousTimestep(long t) => t - Config.NumTrainTimesteps / (NumInferenceSteps ?? Config.NumTrainTimesteps);

    /// <summary>x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε per batch element (<paramref name="timesteps"/> [B]), in the sample's dtype.</summary>
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var acp = AlphaProducts(timesteps, originalSamples);
        return (acp.sqrt() * originalSamples + (1 - acp).sqrt() * noise).MoveToOuterDisposeScope();
    }

    /// <summary>The v-prediction target v = √ᾱ_t·ε − √(1−ᾱ_t)·x₀ per batch element, in the sample's dtype.</summary>
    public Tensor Velocity(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var acp = AlphaProducts(timesteps, originalSamples);
        return (acp.sqrt() * noise - (1 - acp).sqrt() * originalSamples).MoveToOuterDisposeScope();
    }

    // ᾱ at each timestep [B], widened to the sample's dtype and shaped [B, 1, 1, …] to broadcast over it.
    private Tensor AlphaProducts(Tensor timesteps, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return tensor(AlphasCumprod, device: like.device).to(like.dtype).index_select(0, timesteps.to(int64).to(like.device)).view(shape);
    }

    /// <summary>One step from <paramref name="sample"/> at <paramref name="timestep"/> given the model's output;
    /// <paramref name="noise"/> is the variance noise where the step adds noise (drawn from <paramref name="generator"/> when null).</summary>
    public abstract SchedulerOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator = null, Tensor? noise = null);

    /// <summary>x̂₀ and ε̂ from the model output, as diffusers computes them (float32 scalars widened to the sample's dtype).</summary>
    protected (Tensor Original, Tensor Epsilon) Predict(Tensor modelOutput, Tensor sample, float alphaProduct)
    {
        float betaProduct = 1f - alphaProduct;
        double sqrtA = MathF.Sqrt(alphaProduct), sqrtB = MathF.Sqrt(betaProduct);
        (Tensor original, Tensor epsilon) = Config.PredictionType switch
        {
            "epsilon" => ((sample - modelOutput * sqrtB) / sqrtA, modelOutput),
            "v_prediction" => (sample * sqrtA - modelOutput * sqrtB, modelOutput * sqrtA + sample * sqrtB),
            _ => (modelOutput, (sample - modelOutput * sqrtA) / sqrtB),
        };
        if (Config.ClipSample) original = original.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);
        return (original, epsilon);
    }

    /// <summary>ᾱ at <paramref name="t"/>, or <paramref name="beforeStart"/> when t &lt; 0.</summary>
    protected float AlphaProduct(long t, float beforeStart)
    {
        if (t >= AlphasCumprod.Length) throw new ArgumentOutOfRangeException(nameof(t), t, $"timesteps run from 0 to {AlphasCumprod.Length - 1}.");
        return t >= 0 ? AlphasCumprod[t] : beforeStart;
    }

    /// <summary>Standard normal noise shaped like <paramref name="like"/>.</summary>
    protected static Tensor Noise(Tensor like, Generator? generator) => randn(like.shape, dtype: like.dtype, device: like.device, generator: generator);
}
