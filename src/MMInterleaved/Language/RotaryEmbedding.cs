using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// Rotary position embedding as HF LLaMA (transformers 4.31): <c>inv_freq</c> = θ^(−2i/d), a persistent buffer as in the
/// reference's vendored file (so it is a state-dict key); q·cos + rotate_half(q)·sin with cos/sin = cat(freqs, freqs).
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    private readonly Tensor inv_freq;

    /// <summary>For heads of width <paramref name="headDim"/> and base <paramref name="theta"/>.</summary>
    public RotaryEmbedding(int headDim, double theta, string name = "rotary_emb") : base(name)
    {
        inv_freq = 1.0 / pow(theta, arange(0, headDim, 2, dtype: float32) / headDim);
        RegisterComponents();
    }

    /// <summary>Rotates q and k ([B,H,L,d]) by the positions [B,L].</summary>
    public (Tensor Q, Tensor K) Apply(Tensor q, Tensor k, Tensor positionIds)
    {
        using var scope = NewDisposeScope();
        var freqs = positionIds.to(float32).unsqueeze(-1) * inv_freq.to(positionIds.device).view(1, 1, -1); // [B,L,d/2]
        var angles = cat([freqs, freqs], -1).unsqueeze(1);                                                    // [B,1,L,d]
        var cos = angles.cos().to(q.dtype);
        var sin = angles.sin().to(q.dtype);
        return ((q * cos + RotateHalf(q) * sin).MoveToOuterDisposeScope(), (k * cos + RotateHalf(k) * sin).MoveToOuterDisposeScope());
    }

    private static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }
}
