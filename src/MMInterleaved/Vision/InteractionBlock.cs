using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// One ViT-Adapter interaction block around a stage of CLIP layers (adapter_modules.py
/// <c>InteractionBlockWithCls</c>): inject SPM features into the patch tokens, run the stage's CLIP layers on
/// [CLS; patches], extract ViT features into the SPM tokens, then the extra extractors if this block has them.
/// The reference checkpoints activations here; this port does not (TorchSharp has no checkpoint utility).
/// </summary>
public sealed class InteractionBlock : nn.Module
{
    [ComponentName(Name = "injector")] private readonly AdapterInjector injector;
    [ComponentName(Name = "extractor")] private readonly AdapterExtractor extractor;
    [ComponentName(Name = "extra_extractors")] private readonly ModuleList<AdapterExtractor>? extraExtractors;

    /// <summary>Builds the block; <paramref name="withExtraExtractors"/> adds the two extra extractors (last block only in the reference).</summary>
    public InteractionBlock(int width, AdapterConfig config, bool withExtraExtractors, string name = "interaction") : base(name)
    {
        injector = new AdapterInjector(width, config);
        extractor = new AdapterExtractor(width, config);
        if (withExtraExtractors)
            extraExtractors = nn.ModuleList(new AdapterExtractor(width, config), new AdapterExtractor(width, config));
        RegisterComponents();
    }

    /// <summary>The injector.</summary>
    public AdapterInjector Injector => injector;

    /// <summary>Every extractor in the order it runs: the main one, then the extra ones.</summary>
    public IEnumerable<AdapterExtractor> Extractors => extraExtractors is null ? [extractor] : [extractor, .. extraExtractors];

    /// <summary>
    /// x [B, G², W] patch tokens, c [B, Σ SPM tokens, W], cls [B, 1, W]; runs CLIP layers
    /// <paramref name="firstLayer"/>..<paramref name="lastLayer"/> of <paramref name="encoder"/>. Returns the new (x, c, cls).
    /// </summary>
    internal (Tensor X, Tensor C, Tensor Cls) forward(Tensor x, Tensor c, Tensor cls, ClipEncoder encoder, int firstLayer, int lastLayer, AdapterDeformInputs deform)
    {
        x = injector.forward(x, c, deform);
        Tensor tokens = encoder.ForwardRange(cat([cls, x], 1), firstLayer, lastLayer);
        cls = tokens.narrow(1, 0, 1);
        x = tokens.narrow(1, 1, tokens.shape[1] - 1);
        foreach (var e in Extractors) c = e.forward(c, x, deform);
        return (x, c, cls);
    }
}
