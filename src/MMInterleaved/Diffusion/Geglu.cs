using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>GEGLU</c>: <c>proj</c> to twice the inner width, split into value (first half) and gate
/// (second half), value · GELU(gate) with the exact (erf) GELU.</summary>
public sealed class Geglu : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "proj")] private readonly Linear proj;

    /// <summary><paramref name="input"/> → <paramref name="inner"/>.</summary>
    public Geglu(int input, int inner, string name = "GEGLU") : base(name)
    {
        proj = nn.Linear(input, 2 * inner);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = proj.forward(x).chunk(2, -1);
        return (parts[0] * F.gelu(parts[1])).MoveToOuterDisposeScope();
    }
}
