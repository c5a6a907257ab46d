using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// HF transformers 4.31 <c>Blip2QFormerModel</c> as the reference uses it: the query branch only (no text, no
/// <c>embeddings</c> submodule), optionally with the reference's qk-norm patch. The query embeddings go through
/// <c>layernorm</c> and dropout, then through the BERT-style post-LN layers of <c>encoder</c>.
/// State-dict keys equal HF's (reference-state-dict.md §3).
/// </summary>
public sealed class Blip2QFormer : nn.Module
{
    [ComponentName(Name = "layernorm")] private readonly LayerNorm layerNorm;
    [ComponentName(Name = "encoder")] private readonly Blip2QFormerEncoder encoder;

    /// <summary>The configuration this module was built with.</summary>
    public ResamplerConfig Config { get; }

    /// <summary>The layer stack.</summary>
    public Blip2QFormerEncoder Encoder => encoder;

    /// <summary>Builds the Q-Former with HF's BLIP-2 initialisation (<see cref="ResetParameters"/>).</summary>
    public Blip2QFormer(ResamplerConfig config, string name = "blip2qformer") : base(name)
    {
        Config = config.Validated();
        layerNorm = nn.LayerNorm(Config.HiddenSize, Config.LayerNormEps);
        encoder = new Blip2QFormerEncoder(Config);
        RegisterComponents();
        ResetParameters();
    }

    /// <summary>HF <c>Blip2PreTrainedModel._init_weights</c>: every Linear N(0, InitializerRange) with zero bias,
    /// every LayerNorm (qk-norms included) weight 1 and bias 0.</summary>
    public void ResetParameters()
    {
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Linear linear:
                    linear.weight!.normal_(0, Config.InitializerRange);
                    linear.bias?.zero_();
                    break;
                case LayerNorm norm:
                    norm.weight!.fill_(1.0);
                    norm.bias!.zero_();
                    break;
            }
        }
    }

    /// <summary>
    /// queryEmbeds [B or 1, Q, H]; encoderHiddenStates [B, K, E]; encoderAttentionMask [B, K], 1 (or true) = attend,
    /// 0 = padding, null = attend to all. Returns [B, Q, H].
    /// <para>
    /// A batch of 1 in <paramref name="queryEmbeds"/> broadcasts, as the reference's shared [1, Q, H] queries do:
    /// everything before the first cross-attention (the embedding LayerNorm and dropout, layer 0's self-attention)
    /// then runs once, so its dropout masks are shared by the whole batch, exactly as in the reference.
    /// </para>
    /// </summary>
    public Tensor forward(Tensor queryEmbeds, Tensor encoderHiddenStates, Tensor? encoderAttentionMask = null)
    {
        CheckShapes(queryEmbeds, encoderHiddenStates, encoderAttentionMask);
        Tensor? additiveMask = null;
        if (encoderAttentionMask is not null)
        {
            // HF invert_attention_mask: (1 − mask)·finfo(dtype).min, broadcast over heads and queries.
            var dtype = encoderHiddenStates.dtype;
            Tensor keep = encoderAttentionMask.to(dtype, encoderHiddenStates.device);
            additiveMask = ((1.0 - keep) * finfo(dtype).min).view(keep.shape[0], 1, 1, keep.shape[1]);
        }
        Tensor hidden = F.dropout(layerNorm.forward(queryEmbeds), Config.HiddenDropout, training);
        return encoder.forward(hidden, encoderHiddenStates, additiveMask);
    }

    private void CheckShapes(Tensor queries, Tensor encoderStates, Tensor? mask)
    {
        static string S(Tensor t) => "[" + string.Join(",", t.shape) + "]";
        if (encoderStates.dim() != 3 || encoderStates.shape[2] != Config.EncoderHiddenSize)
            throw new ArgumentException($"Blip2QFormer encoderHiddenStates must be [B,K,{Config.EncoderHiddenSize}]; got {S(encoderStates)}.");
        long b = encoderStates.shape[0], k = encoderStates.shape[1];
        if (queries.dim() != 3 || queries.shape[2] != Config.HiddenSize || (queries.shape[0] != b && queries.shape[0] != 1))
            throw new ArgumentException($"Blip2QFormer queryEmbeds must be [{b} or 1,Q,{Config.HiddenSize}]; got {S(queries)}.");
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != b || mask.shape[1] != k))
            throw new ArgumentException($"Blip2QFormer encoderAttentionMask must be [{b},{k}]; got {S(mask)}.");
    }
}
