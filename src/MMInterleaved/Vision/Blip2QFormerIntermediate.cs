using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>HF <c>Blip2QFormerIntermediate</c>: dense H→IntermediateSize and the exact (erf) GELU, HF's "gelu".</summary>
public sealed class Blip2QFormerIntermediate : nn.Module
{
    [ComponentName(Name = "dense")] private readonly Linear dense;

    /// <summary>dense HiddenSize→IntermediateSize.</summary>
    public Blip2QFormerIntermediate(ResamplerConfig config, string name = "intermediate_query") : base(name)
    {
        config = config.Validated();
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>x [.., H] → [.., IntermediateSize].</summary>
    public Tensor forward(Tensor x) => F.gelu(dense.forward(x));
}
