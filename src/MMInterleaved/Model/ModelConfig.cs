using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MMInterleaved.Language;
using MMInterleaved.Vision;

namespace MMInterleaved.Model;

/// <summary>
/// Everything that defines an MM-Interleaved comprehension model: the parts' configs, the interleaving (visual tokens per
/// image, special tokens), freezing, the text head and the loss weights; architecture only (no file paths, no training
/// settings: where a pre-trained encoder came from lives in a run's <c>training_args.json</c>). Round-trips through JSON
/// (HF-style <c>config.json</c>, snake_case keys); <see cref="Validated"/> checks every part and their agreement. Scale is a config, not a code path:
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
    /// <summary>LLaVA-style visual tokens instead of the resampler (issue 17's many-token baseline, not in the reference):
    /// every ViT patch token, the CLS token dropped, through the same LN(pos_proj(h)) + pos input path and then the
    /// projection to the decoder width, so K = G² and only the Q-Former differs from the resampler arm. Needs
    /// <see cref="UseResampler"/> off and <c>resampler.num_queries</c> = G². Left out of config.json when off.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool UsePatchTokens { get; init; }
    /// <summary>The LLaMA decoder.</summary>
    public DecoderConfig Decoder { get; init; } = new();
    /// <summary>The decoder-side MMFS and its ablation switches.</summary>
    public CrossAttentionConfig CrossAttention { get; init; } = new();
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
    /// <summary>Weight of the text loss (reference 1.0).</summary>
    public double LossTextWeight { get; init; } = 1.0;
    /// <summary>The generation half (image decoder and <c>context_feat_proj</c>), or null: a comprehension model. Left out of
    /// config.json when null, so comprehension configs (and run fingerprints) read as before.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Diffusion.ImageDecoderConfig? ImageDecoder { get; init; }

    /// <summary>Visual tokens per image K (each image is written as &lt;BoI&gt; + K &lt;image&gt;): the resampler's
    /// queries, the one place K is set (<see cref="WithNumImageTokens"/>).</summary>
    [JsonIgnore] public int NumImageTokens => Resampler.NumQueries;

    /// <summary>This config with K visual tokens per image.</summary>
    public ModelConfig WithNumImageTokens(int k) => this with { Resampler = Resampler with { NumQueries = k } };

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
        Require(Resampler.EncoderHiddenSize == Vision.HiddenSize, $"Resampler.EncoderHiddenSize is {Resampler.EncoderHiddenSize} but Vision.HiddenSize is {Vision.HiddenSize}; they must be equal.");
        Require(LossTextWeight >= 0, $"LossTextWeight is {LossTextWeight}; it must be non-negative.");
        if (UsePatchTokens)
        {
            Require(!UseResampler, "use_patch_tokens replaces the resampler; set use_resampler to false.");
            Require(NumImageTokens == GridSide * GridSide, $"use_patch_tokens gives one visual token per ViT patch, {GridSide * GridSide} for a {GridSide}×{GridSide} grid, but resampler.num_queries is {NumImageTokens}; set it to {GridSide * GridSide}.");
        }
        if (ImageDecoder is { } decoder)
        {
            decoder.Validated();
            Require(decoder.Resampler.EncoderHiddenSize == Decoder.HiddenSize, $"ImageDecoder.Resampler.EncoderHiddenSize is {decoder.Resampler.EncoderHiddenSize} but Decoder.HiddenSize is {Decoder.HiddenSize}; the context resampler reads the language model.");
            if (decoder.Mmfs is { } mmfs)
                Require(mmfs.InputChannel == Vision.HiddenSize && mmfs.SpatialShapes.SequenceEqual(MultiScaleSides),
                    $"ImageDecoder.Mmfs reads {mmfs.InputChannel}-wide maps of sides {string.Join("/", mmfs.SpatialShapes)}, but the visual tokenizer gives {Vision.HiddenSize}-wide maps of sides {string.Join("/", MultiScaleSides)}.");
        }
        return this;
    }

    /// <summary>The <c>model_type</c> of an HF-style config.json.</summary>
    public const string ModelType = "mm_interleaved";

    /// <summary>JSON options of config.json: snake_case keys as HF configs use, unknown keys refused.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    // config.json as the workbench wrote it before the pipeline (property names as declared, PretrainedEncoderPath inside)
    private static readonly JsonSerializerOptions LegacyJsonOptions = new() { WriteIndented = true };

    /// <summary>Serialises to an HF-style config.json: <c>model_type</c> first, then the architecture in snake_case.</summary>
    public string ToJson()
    {
        var body = JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();
        var root = new JsonObject { ["model_type"] = ModelType };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            root[key] = value;
        }
        return root.ToJsonString(JsonOptions);
    }

    /// <summary>Parses and validates a config (HF-style snake_case, or the PascalCase files of earlier versions); errors
    /// name the source and the field.</summary>
    public static ModelConfig FromJson(string json, string source = "config")
    {
        ModelConfig? config;
        int? storedK;
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: a model config is a JSON object.");
            bool legacy = root.ContainsKey(nameof(Decoder)) || root.ContainsKey(nameof(Vision));
            // Files before K had one home stored it twice (num_image_tokens beside the resampler's num_queries).
            string kKey = legacy ? nameof(NumImageTokens) : "num_image_tokens";
            storedK = root[kKey]?.GetValue<int>();
            root.Remove(kKey);
            if (legacy)
            {
                root.Remove("PretrainedEncoderPath");   // a training setting now (training_args.json)
                config = root.Deserialize<ModelConfig>(LegacyJsonOptions);
            }
            else
            {
                if (root["model_type"]?.GetValue<string>() is string type && type != ModelType)
                    throw new InvalidDataException($"{source}: model_type is '{type}'; expected '{ModelType}'.");
                root.Remove("model_type");
                config = root.Deserialize<ModelConfig>(JsonOptions);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: not a valid model config: {e.Message}", e);
        }
        if (config is null) throw new InvalidDataException($"{source}: empty model config.");
        if (storedK is int k && k != config.NumImageTokens)
            throw new InvalidDataException($"{source}: num_image_tokens is {k} but resampler.num_queries is {config.NumImageTokens}; they must be equal (K is the resampler's queries).");
        try { return config.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>Reads and validates a config.json file.</summary>
    public static ModelConfig Load(string path) =>
        File.Exists(path) ? FromJson(File.ReadAllText(path), path) : throw new FileNotFoundException($"model config not found: {path}", path);
}
