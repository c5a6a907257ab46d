using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// HF <c>Blip2QFormerMultiHeadAttention</c> as patched by the reference (blip2_qknorm_monkey_patch.py): per-head
/// LayerNorms <c>q_norm</c>/<c>k_norm</c> act on Q and K after the split into heads and before the dot product,
/// whose scores are still divided by √head_dim. Keys and values come from the queries themselves (self-attention)
/// or from encoder states of width EncoderHiddenSize (cross-attention). Returns the merged heads, before the
/// output projection.
/// </summary>
public sealed class Blip2QFormerMultiHeadAttention : nn.Module
{
    [ComponentName(Name = "query")] private readonly Linear query;
    [ComponentName(Name = "key")] private readonly Linear key;
    [ComponentName(Name = "value")] private readonly Linear value;
    // Null without qk-norm: the reference's nn.Identity adds no keys.
    [ComponentName(Name = "q_norm")] private readonly LayerNorm? qNorm;
    [ComponentName(Name = "k_norm")] private readonly LayerNorm? kNorm;

    private readonly int heads;
    private readonly int headDim;
    private readonly double attentionDropout;

    /// <summary>Whether keys and values are projected from encoder states.</summary>
    public bool IsCrossAttention { get; }

    /// <summary>Builds the projections (HF's init is applied by <see cref="Blip2QFormer"/>).</summary>
    public Blip2QFormerMultiHeadAttention(ResamplerConfig config, bool isCrossAttention, string name = "attention") : base(name)
    {
        config = config.Validated();
        IsCrossAttention = isCrossAttention;
        heads = config.NumHeads;
        headDim = config.HeadDim;
        attentionDropout = config.AttentionDropout;
        long kvIn = isCrossAttention ? config.EncoderHiddenSize : config.HiddenSize;
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(kvIn, config.HiddenSize);
        value = nn.Linear(kvIn, config.HiddenSize);
        if (config.QkNormalization)
        {
            qNorm = nn.LayerNorm(headDim, config.LayerNormEps);
            kNorm = nn.LayerNorm(headDim, config.LayerNormEps);
        }
        RegisterComponents();
    }

    /// <summary>
    /// hidden [B or 1, Q, H]; encoderHidden [B, K, E] for cross-attention (null for self-attention);
    /// additiveMask broadcastable to [B, heads, Q, K] (0 = keep, very negative = drop) or null.
    /// Returns [B, Q, H]; a batch of 1 in <paramref name="hidden"/> broadcasts against the encoder batch.
    /// </summary>
    public Tensor forward(Tensor hidden, Tensor? encoderHidden = null, Tensor? additiveMask = null)
    {
        if (IsCrossAttention != encoderHidden is not null)
            throw new ArgumentException(IsCrossAttention
                ? "Blip2QFormerMultiHeadAttention: a cross-attention block needs encoder states."
                : "Blip2QFormerMultiHeadAttention: a self-attention block takes no encoder states.");
        Tensor source = encoderHidden ?? hidden;
        Tensor q = SplitHeads(query.forward(hidden));
        Tensor k = SplitHeads(key.forward(source));
        Tensor v = SplitHeads(value.forward(source));
        if (qNorm is not null) q = qNorm.forward(q);
        if (kNorm is not null) k = kNorm.forward(k);

        Tensor scores = matmul(q, k.transpose(-1, -2)) / Math.Sqrt(headDim);
        if (additiveMask is not null) scores = scores + additiveMask;
        Tensor probabilities = F.dropout(F.softmax(scores, -1), attentionDropout, training);
        Tensor context = matmul(probabilities, v).permute(0, 2, 1, 3); // [B, Q, heads, d]
        return context.reshape(context.shape[0], context.shape[1], heads * headDim);
    }

    private Tensor SplitHeads(Tensor x) => x.view(x.shape[0], x.shape[1], heads, headDim).permute(0, 2, 1, 3);
}
