using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>HF <c>Blip2QFormerEncoder</c>: the stack of layers, kept as its own module so keys read
/// <c>encoder.layer.{i}.…</c>.</summary>
public sealed class Blip2QFormerEncoder : nn.Module
{
    [ComponentName(Name = "layer")] private readonly ModuleList<Blip2QFormerLayer> layers;

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Blip2QFormerLayer> Layers => [.. layers];

    /// <summary>Builds NumLayers layers.</summary>
    public Blip2QFormerEncoder(ResamplerConfig config, string name = "encoder") : base(name)
    {
        config = config.Validated();
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new Blip2QFormerLayer(config, i)).ToArray());
        RegisterComponents();
    }

    /// <summary>Runs every layer; see <see cref="Blip2QFormerLayer.forward"/>.</summary>
    public Tensor forward(Tensor hidden, Tensor encoderHidden, Tensor? encoderAdditiveMask = null)
    {
        foreach (var layer in layers) hidden = layer.forward(hidden, encoderHidden, encoderAdditiveMask);
        return hidden;
    }
}
