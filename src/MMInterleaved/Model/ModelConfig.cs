using System.Text.Json;
using System.Text.Json.Serialization;
using MMInterleaved.Language;
using MMInterleaved.Vision;

namespace MMInterleaved.Model;

/// <summary>
/// Everything that defines an MM-Interleaved comprehension model: the parts' configs, the interleaving (visual tokens per
/// image, special tokens), freezing, the text head and the loss weights. Round-trips through JSON (HF-style
/// <c>config.json</c>); <see cref="Validated"/> checks every part and their agreement. Scale is a config, not a code path:
/// see <see cref="ModelPresets"/>.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The ViT (HF CLIPVisionModel fields).</summary>
    public VisionEncoderConfig Vision { get; init; } = new();
    /// <summary>The ViT-Adapter producing the multi-scale maps.</summary>
    public AdapterConfig Adapter { get; init; } = new();
    /// <summary>The Perceiver resampler (BLIP-2 Q-Former).</summary>
    public ResamplerConfig Resampler { get; init; } = new();
    /// <summary>Resampler on (reference) or off: visual tokens are then learned queries only, the same for every image,
    /// and image content reaches the decoder through MMFS alone (paper Table 17, "MMFS only").</summary>
    public bool UseResampler { get; init; } = true;
    /// <summary>The LLaMA decoder.</summary>
    public DecoderConfig Decoder { get; init; } = new();
    /// <summary>The decoder-side MMFS and its ablation switches.</summary>
    public CrossAttentionConfig CrossAttention { get; init; } = new();
    /// <summary>Visual tokens per image K (each image is written as &lt;BoI&gt; + K &lt;image&gt;); equals Resampler.NumQueries.</summary>
    public int NumImageTokens { get; init; } = 64;
    /// <summary>Ids of the special tokens.</summary>
    public SpecialTokens Tokens { get; init; } = new();
    /// <summary>Text head arrangement.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TextHeadKind>))]
    public TextHeadKind TextHead { get; init; } = TextHeadKind.FrozenPlusNew;
    /// <summary>Freeze the language model (embeddings, layers, norm) except its cross-attention blocks (reference: yes).</summary>
    public bool FreezeLanguageModel { get; init; } = true;
    /// <summary>Freeze the ViT, keep the adapter trainable (reference: yes).</summary>
    public bool FreezeVisionEncoder { get; init; } = true;
    /// <summary>Also freeze the ViT-Adapter (reference: no, its adapter is new and trains). For a pre-trained encoder whose
    /// adapter was trained with the ViT (the small preset's), freezing both keeps the pre-trained features intact and
    /// skips the encoder's backward pass. Only meaningful with <see cref="FreezeVisionEncoder"/>.</summary>
    public bool FreezeAdapter { get; init; }
    /// <summary>Optional safetensors file with a pre-trained vision encoder (ViT + adapter, names under <c>vision_model.</c>).</summary>
    public string? PretrainedEncoderPath { get; init; }
    /// <summary>Weight of the text loss (reference 1.0).</summary>
    public double LossTextWeight { get; init; } = 1.0;

    /// <summary>Side of the ViT patch grid G.</summary>
    [JsonIgnore] public int GridSide => Vision.ImageSize / Vision.PatchSize;
    /// <summary>Sides of the four multi-scale maps [c1, c2, c3, c4] = [4G, 2G, G, G/2].</summary>
    [JsonIgnore] public int[] MultiScaleSides => [4 * GridSide, 2 * GridSide, GridSide, GridSide / 2];

    /// <summary>Checks every part and their agreement; throws an ArgumentException naming the field.</summary>
    public ModelConfig Validated()
    {
        Vision.Validated();
        Adapter.Validated(Vision);
        Resampler.Validated();
        Decoder.Validated();
        CrossAttention.Validated();
        Tokens.Validated(Decoder.VocabSize);
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("ModelConfig: " + message); }
        Require(NumImageTokens > 0, $"NumImageTokens is {NumImageTokens}; it must be positive.");
        Require(NumImageTokens == Resampler.NumQueries, $"NumImageTokens is {NumImageTokens} but Resampler.NumQueries is {Resampler.NumQueries}; they must be equal.");
        Require(Resampler.EncoderHiddenSize == Vision.HiddenSize, $"Resampler.EncoderHiddenSize is {Resampler.EncoderHiddenSize} but Vision.HiddenSize is {Vision.HiddenSize}; they must be equal.");
        Require(LossTextWeight >= 0, $"LossTextWeight is {LossTextWeight}; it must be non-negative.");
        Require(PretrainedEncoderPath is null || PretrainedEncoderPath.Length > 0, "PretrainedEncoderPath is empty; use null for none.");
        return this;
    }

    /// <summary>JSON options used for config files (indented, camel-case-free: property names as declared).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a config; errors name the source.</summary>
    public static ModelConfig FromJson(string json, string source = "config")
    {
        ModelConfig? config;
        try { config = JsonSerializer.Deserialize<ModelConfig>(json, JsonOptions); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not a valid model config: {e.Message}", e); }
        if (config is null) throw new InvalidDataException($"{source}: empty model config.");
        try { return config.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Reads and validates a config.json file.</summary>
    public static ModelConfig Load(string path) =>
        File.Exists(path) ? FromJson(File.ReadAllText(path), path) : throw new FileNotFoundException($"model config not found: {path}", path);
}
