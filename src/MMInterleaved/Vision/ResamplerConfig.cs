using System.Text.Json.Serialization;

namespace MMInterleaved.Vision;

/// <summary>
/// Configuration of the reference's <c>PerceiverResampler</c> (mm_interleaved/models/decoders/perceiver.py): learned
/// queries read an encoder's states through a BLIP-2 Q-Former (HF transformers 4.31 <c>Blip2QFormerConfig</c> fields,
/// plus the qk-norm patch). Defaults are the visual tokenizer's instance (reference-spec.md §2.2);
/// <see cref="ImageDecoder"/> is the image decoder's (§5.1).
/// </summary>
/// <param name="NumQueries">Learned query tokens, i.e. output tokens per input.</param>
/// <param name="HiddenSize">Query / Q-Former width (HF <c>hidden_size</c>).</param>
/// <param name="EncoderHiddenSize">Width of the encoder states the cross-attention keys and values read.</param>
/// <param name="NumLayers">Q-Former layers (HF <c>num_hidden_layers</c>).</param>
/// <param name="NumHeads">Attention heads (HF <c>num_attention_heads</c>); HiddenSize must divide by it.</param>
/// <param name="IntermediateSize">FFN inner width.</param>
/// <param name="CrossAttentionFrequency">Layer i has cross-attention when i % CrossAttentionFrequency == 0.</param>
/// <param name="QkNormalization">The reference's patch: LayerNorm over the head dim on Q and K in every attention.</param>
/// <param name="HiddenDropout">HF <c>hidden_dropout_prob</c>: on the embedded queries and after each dense output.</param>
/// <param name="AttentionDropout">HF <c>attention_probs_dropout_prob</c>: on the attention probabilities.</param>
/// <param name="LayerNormEps">Eps of every LayerNorm, the qk-norms included.</param>
/// <param name="QueryInitStd">The learned queries start N(0, QueryInitStd).</param>
/// <param name="InitializerRange">HF <c>initializer_range</c>: every Linear weight starts N(0, InitializerRange).</param>
public sealed record ResamplerConfig(
    int NumQueries = 64,
    int HiddenSize = 768,
    int EncoderHiddenSize = 1024,
    int NumLayers = 12,
    int NumHeads = 12,
    int IntermediateSize = 3072,
    int CrossAttentionFrequency = 2,
    bool QkNormalization = true,
    double HiddenDropout = 0.1,
    double AttentionDropout = 0.1,
    double LayerNormEps = 1e-12,
    double QueryInitStd = 0.02,
    double InitializerRange = 0.02)
{
    /// <summary>The visual tokenizer's resampler: 64×768 queries over the 1024-wide ViT states, 12 layers,
    /// cross-attention every 2nd layer, qk-norm, BLIP-2 default dropout 0.1 (the defaults).</summary>
    public static ResamplerConfig VisualTokenizer { get; } = new();

    /// <summary>The image decoder's context resampler: 77×1024 queries over the 5120-wide LLM states, one layer
    /// with cross-attention, no qk-norm, dropout 0, FFN 3072 (the BLIP-2 default, not 4×1024).</summary>
    public static ResamplerConfig ImageDecoder { get; } = new(NumQueries: 77, HiddenSize: 1024, EncoderHiddenSize: 5120,
        NumLayers: 1, NumHeads: 16, IntermediateSize: 3072, CrossAttentionFrequency: 1, QkNormalization: false,
        HiddenDropout: 0.0, AttentionDropout: 0.0);

    /// <summary>
    /// This config with <see cref="InitializerRange"/> rescaled so that its cross-attention path (value then output
    /// projection, gain ≈ r²·√(EncoderHiddenSize·HiddenSize) at init) passes the context as strongly, relative to the
    /// query stream, as <paramref name="reference"/>'s does. The same 0.02 at 64 wide gives 1/36 of the 5120→1024
    /// resampler's gain: its output then hardly differs between contexts (relative spread 0.003), and the UNet gets the
    /// same condition for every caption (results/text-to-image). <c>reference.WithGainOf(reference)</c> is unchanged.
    /// </summary>
    public ResamplerConfig WithGainOf(ResamplerConfig reference) => this with
    {
        InitializerRange = reference.InitializerRange *
            Math.Pow((double)reference.EncoderHiddenSize * reference.HiddenSize / ((double)EncoderHiddenSize * HiddenSize), 0.25),
    };

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Whether layer <paramref name="layer"/> has a cross-attention block (HF's rule).</summary>
    public bool HasCrossAttention(int layer) => layer % CrossAttentionFrequency == 0;

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public ResamplerConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("ResamplerConfig: " + message); }
        Require(NumQueries > 0, $"NumQueries is {NumQueries}; it must be positive.");
        Require(HiddenSize > 0, $"HiddenSize is {HiddenSize}; it must be positive.");
        Require(EncoderHiddenSize > 0, $"EncoderHiddenSize is {EncoderHiddenSize}; it must be positive.");
        Require(NumLayers > 0, $"NumLayers is {NumLayers}; it must be positive.");
        Require(NumHeads > 0, $"NumHeads is {NumHeads}; it must be positive.");
        Require(HiddenSize % NumHeads == 0, $"HiddenSize is {HiddenSize}; it must be divisible by NumHeads ({NumHeads}).");
        Require(IntermediateSize > 0, $"IntermediateSize is {IntermediateSize}; it must be positive.");
        Require(CrossAttentionFrequency > 0, $"CrossAttentionFrequency is {CrossAttentionFrequency}; it must be positive (layer i cross-attends when i % it == 0).");
        Require(HiddenDropout is >= 0 and < 1, $"HiddenDropout is {HiddenDropout}; it must be in [0, 1).");
        Require(AttentionDropout is >= 0 and < 1, $"AttentionDropout is {AttentionDropout}; it must be in [0, 1).");
        Require(LayerNormEps > 0, $"LayerNormEps is {LayerNormEps}; it must be positive.");
        Require(QueryInitStd >= 0, $"QueryInitStd is {QueryInitStd}; it must be non-negative.");
        Require(InitializerRange >= 0, $"InitializerRange is {InitializerRange}; it must be non-negative.");
        return this;
    }
}
