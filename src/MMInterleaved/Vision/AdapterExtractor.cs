using MMInterleaved.Ops;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The ViT-Adapter extractor (adapter_modules.py <c>Extractor</c>): the SPM tokens attend, by 1-level deformable
/// attention, over the ViT patch-token map, c ← c + MSDeformAttn(LN_q(c), LN_f(x)); then, with the ConvFFN,
/// c ← c + ConvFFN(LN_ffn(c)). Drop-path is 0 in the reference and omitted.
/// </summary>
public sealed class AdapterExtractor : nn.Module
{
    [ComponentName(Name = "query_norm")] private readonly LayerNorm queryNorm;
    [ComponentName(Name = "feat_norm")] private readonly LayerNorm featNorm;
    [ComponentName(Name = "attn")] private readonly MSDeformAttn attn;
    [ComponentName(Name = "ffn")] private readonly ConvFfn? ffn;
    [ComponentName(Name = "ffn_norm")] private readonly LayerNorm? ffnNorm;

    /// <summary>Builds the extractor for token width <paramref name="width"/>.</summary>
    public AdapterExtractor(int width, AdapterConfig config, string name = "extractor") : base(name)
    {
        queryNorm = nn.LayerNorm(width, eps: config.NormEps);
        featNorm = nn.LayerNorm(width, eps: config.NormEps);
        attn = new MSDeformAttn(new MSDeformAttnOptions(width, NumLevels: 1, NumHeads: config.DeformHeads, NumPoints: config.DeformPoints, Ratio: config.DeformRatio));
        if (config.WithCffn)
        {
            ffn = new ConvFfn(width, config.CffnHidden(width));
            ffnNorm = nn.LayerNorm(width, eps: config.NormEps);
        }
        RegisterComponents();
    }

    /// <summary>The deformable attention, for initialisation and inspection.</summary>
    public MSDeformAttn Attention => attn;

    /// <summary>The ConvFFN, or null without it.</summary>
    public ConvFfn? Ffn => ffn;

    /// <summary>c [B, Σ SPM tokens, W] (queries); x [B, G², W] (features). Returns the updated c.</summary>
    internal Tensor forward(Tensor c, Tensor x, AdapterDeformInputs deform)
    {
        c = c + attn.forward(queryNorm.forward(c), deform.ExtractorReference, featNorm.forward(x),
            deform.ExtractorShapes, deform.ExtractorStarts);
        if (ffn is not null && ffnNorm is not null)
            c = c + ffn.forward(ffnNorm.forward(c), deform.SpmSides);
        return c;
    }
}
