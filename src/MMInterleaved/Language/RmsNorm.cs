using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>HF <c>LlamaRMSNorm</c>: x·rsqrt(mean(x²)+eps) computed in float32, cast back, times <c>weight</c>
/// (TorchSharp 0.107 has no RMSNorm).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    /// <summary>Norm over the last dimension of width <paramref name="width"/>; weight starts at one.</summary>
    public RmsNorm(long width, double eps = 1e-6, string name = "RmsNorm") : base(name)
    {
        this.eps = eps;
        weight = nn.Parameter(ones(width));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var dtype = x.dtype;
        var x32 = dtype == ScalarType.Float64 ? x : x.to(float32);
        var normed = x32 * rsqrt(x32.pow(2).mean([-1L], keepdim: true) + eps);
        return (weight * normed.to(dtype)).MoveToOuterDisposeScope();
    }
}
