using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>The stack of CLIP layers (HF <c>CLIPEncoder</c>: keys <c>layers.{i}.*</c>). The ViT-Adapter runs it in
/// stages, so besides the whole stack it can run an inclusive layer range.</summary>
public sealed class ClipEncoder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "layers")] private readonly ModuleList<ClipEncoderLayer> layers;

    /// <summary>Builds NumLayers layers.</summary>
    public ClipEncoder(VisionEncoderConfig config, string name = "encoder") : base(name)
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new ClipEncoderLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>Number of layers.</summary>
    public int Count => layers.Count;

    /// <summary>Runs every layer: x [B, T, W] → [B, T, W].</summary>
    public override Tensor forward(Tensor x) => ForwardRange(x, 0, layers.Count - 1);

    /// <summary>Runs layers first..last (inclusive) in order.</summary>
    public Tensor ForwardRange(Tensor x, int first, int last)
    {
        for (int i = first; i <= last; i++) x = layers[i].forward(x);
        return x;
    }
}
