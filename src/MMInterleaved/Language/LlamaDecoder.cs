using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// The multimodal decoder (<c>mm_decoder</c>): HF <c>LlamaModel</c> naming (<c>embed_tokens</c>, <c>layers.{i}</c>,
/// <c>norm</c>) with the reference's cross-attention blocks (<c>layers.{i}.llama_cross_attn</c>) in every layer whose index is
/// a multiple of the frequency. Takes input embeddings (text and visual tokens already interleaved) and returns the final
/// normalised hidden states.
/// </summary>
public sealed class LlamaDecoder : nn.Module
{
    [ComponentName(Name = "embed_tokens")] private readonly Embedding embedTokens;
    [ComponentName(Name = "layers")] private readonly ModuleList<LlamaDecoderLayer> layers;
    [ComponentName(Name = "norm")] private readonly RmsNorm norm;

    /// <summary>The configuration.</summary>
    public DecoderConfig Config { get; }

    /// <summary>Builds the decoder; <paramref name="crossAttentionFor"/> returns the block for a layer index, or null.</summary>
    public LlamaDecoder(DecoderConfig config, Func<int, LlamaMmfsAttention?> crossAttentionFor, string name = "mm_decoder") : base(name)
    {
        Config = config.Validated();
        embedTokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, config.NumLayers)
            .Select(i => new LlamaDecoderLayer(config, i, crossAttentionFor(i))).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
        InitialiseLanguageModel();
    }

    /// <summary>The decoder layers.</summary>
    public IReadOnlyList<LlamaDecoderLayer> Layers => layers.ToList();

    /// <summary>The cross-attention blocks in layer order.</summary>
    public IEnumerable<LlamaMmfsAttention> CrossAttentionBlocks => layers.Select(l => l.CrossAttention).OfType<LlamaMmfsAttention>();

    /// <summary>Token embeddings [B,L,D] of ids [B,L].</summary>
    public Tensor Embed(Tensor ids) => embedTokens.forward(ids);

    /// <summary>The embedding table [V,D].</summary>
    public Parameter EmbeddingWeight => embedTokens.weight!;

    /// <summary>
    /// inputsEmbeds [B,L,D]; attentionMask [B,past+L] (1 = real token, 0 = padding); positionIds [B,L];
    /// memory for the cross-attention blocks (null: they are skipped); cache for incremental decoding.
    /// </summary>
    public Tensor forward(Tensor inputsEmbeds, Tensor attentionMask, Tensor positionIds, VisualMemory? memory = null, KvCache? cache = null)
    {
        long b = inputsEmbeds.shape[0], l = inputsEmbeds.shape[1], past = cache?.Length ?? 0, total = past + l;
        if (attentionMask.shape[0] != b || attentionMask.shape[1] != total)
            throw new ArgumentException($"attentionMask must be [{b},{total}] (batch, cached + new positions); got [{string.Join(",", attentionMask.shape)}].");
        var additive = CausalPaddingMask(attentionMask, past, l, inputsEmbeds.dtype);
        var hidden = inputsEmbeds;
        foreach (var layer in layers) hidden = layer.forward(hidden, additive, positionIds, memory, cache);
        return norm.forward(hidden);
    }

    /// <summary>[B,1,L,past+L] additive mask: 0 where query i (absolute position past+i) may see key j (j ≤ past+i and j is
    /// not padding), else the dtype's lowest value (not −∞, so a fully masked padding row stays finite, as in HF).</summary>
    public static Tensor CausalPaddingMask(Tensor attentionMask, long past, long length, ScalarType dtype)
    {
        var device = attentionMask.device;
        long total = past + length;
        var queryPositions = arange(past, total, device: device).view(length, 1);
        var causal = arange(total, device: device).view(1, total) <= queryPositions;           // [L, total]
        var allowed = causal.unsqueeze(0) & attentionMask.to(ScalarType.Bool).unsqueeze(1);     // [B, L, total]
        double lowest = dtype == ScalarType.Float64 ? double.MinValue : float.MinValue;
        return where(allowed, zeros(1, dtype: dtype, device: device), full(1, lowest, dtype: dtype, device: device)).unsqueeze(1);
    }

    /// <summary>HF LLaMA init: Linear and Embedding weights N(0, InitializerRange), RMSNorm ones. Cross-attention blocks
    /// keep their own (reference) initialisation.</summary>
    private void InitialiseLanguageModel()
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.Contains("llama_cross_attn", StringComparison.Ordinal)) continue;
            if (name.EndsWith("proj.weight", StringComparison.Ordinal) || name == "embed_tokens.weight")
                parameter.normal_(0, Config.InitializerRange);
        }
    }
}
