using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>FeedForward</c> with GEGLU: <c>net.0</c> GEGLU to 4·dim, <c>net.1</c> Dropout(0), <c>net.2</c>
/// Linear back to dim.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "net")] private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    /// <summary>Width <paramref name="dim"/>, inner width 4·dim.</summary>
    public FeedForward(int dim, string name = "ff") : base(name)
    {
        net = new ModuleList<nn.Module<Tensor, Tensor>>(new Geglu(dim, 4 * dim), nn.Dropout(0), nn.Linear(4 * dim, dim));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        foreach (var layer in net) x = layer.forward(x);
        return x;
    }
}
