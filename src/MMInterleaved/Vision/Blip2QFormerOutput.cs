using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// The BERT-style post-LN residual ending shared by HF's <c>Blip2QFormerSelfOutput</c> (after an attention, input
/// width H) and <c>Blip2QFormerOutput</c> (after the FFN, input width IntermediateSize):
/// LayerNorm(dropout(dense(x)) + residual).
/// </summary>
public sealed class Blip2QFormerOutput : nn.Module
{
    [ComponentName(Name = "dense")] private readonly Linear dense;
    [ComponentName(Name = "LayerNorm")] private readonly LayerNorm layerNorm;
    private readonly double dropout;

    /// <summary>dense inFeatures→HiddenSize, then LayerNorm(HiddenSize).</summary>
    public Blip2QFormerOutput(ResamplerConfig config, long inFeatures, string name = "output") : base(name)
    {
        config = config.Validated();
        dropout = config.HiddenDropout;
        dense = nn.Linear(inFeatures, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>x [.., inFeatures], residual broadcastable to [.., H]; returns [.., H].</summary>
    public Tensor forward(Tensor x, Tensor residual) =>
        layerNorm.forward(F.dropout(dense.forward(x), dropout, training) + residual);
}
