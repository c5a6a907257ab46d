using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>DiagonalGaussianDistribution</c> over latents: mean and log-variance (clamped to [−30, 20]) from
/// the encoder's moments; <see cref="Sample"/> is mean + σ·z (what MM-Interleaved encodes with), <see cref="Mode"/> the mean.</summary>
public sealed class DiagonalGaussianDistribution
{
    /// <summary>Splits <paramref name="moments"/> [B, 2L, h, w] into mean and log-variance (the caller keeps ownership).</summary>
    public DiagonalGaussianDistribution(Tensor moments)
    {
        var parts = moments.chunk(2, 1);
        Mean = parts[0];
        LogVar = parts[1].clamp(-30.0, 20.0);
        Std = (LogVar * 0.5).exp();
    }

    /// <summary>μ [B, L, h, w].</summary>
    public Tensor Mean { get; }
    /// <summary>log σ², clamped to [−30, 20].</summary>
    public Tensor LogVar { get; }
    /// <summary>σ = exp(½ log σ²).</summary>
    public Tensor Std { get; }

    /// <summary>μ + σ·z with z ~ N(0, I) from <paramref name="generator"/>.</summary>
    public Tensor Sample(Generator? generator = null) => Mean + Std * randn(Mean.shape, dtype: Mean.dtype, device: Mean.device, generator: generator);

    /// <summary>The mean.</summary>
    public Tensor Mode() => Mean;
}
