using MMInterleaved.Language;
using MMInterleaved.Vision;

namespace MMInterleaved.Model;

/// <summary>
/// Named model sizes. <c>tiny</c>: CPU tests (a forward+backward well under a second). <c>small</c>: the ablation model
/// for 2 CPU cores (issue 5 sizes its data and training around it). <c>paper</c>: the reference sizes (CLIP ViT-L/14 at 224,
/// ViT-Adapter, 12-layer Q-Former with 64 queries, Vicuna-13B dims, MMFS every 4 layers) — for people with real
/// checkpoints and GPUs; never allocated in tests (parameter counts use the meta device).
/// </summary>
public static class ModelPresets
{
    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "paper"];

    /// <summary>The preset of that name.</summary>
    public static ModelConfig Get(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        "paper" => Paper,
        _ => throw new ArgumentException($"unknown preset '{name}': expected one of {string.Join(", ", Names)}, or a path to a config.json."),
    };

    /// <summary>A preset name or a config.json path.</summary>
    public static ModelConfig Resolve(string presetOrPath) =>
        Names.Contains(presetOrPath.ToLowerInvariant()) ? Get(presetOrPath) : ModelConfig.Load(presetOrPath);

    /// <summary>Seconds-scale model for tests: 32-px images, 8×8 patch grid, 4 visual tokens, 2-layer decoder of width 64.</summary>
    public static ModelConfig Tiny => new ModelConfig
    {
        Vision = new VisionEncoderConfig(ImageSize: 32, PatchSize: 4, HiddenSize: 32, NumLayers: 4, NumHeads: 2, IntermediateSize: 64),
        Adapter = new AdapterConfig { ConvInplanes = 8, DeformHeads = 2, DeformPoints = 2, InteractionIndexes = [[0, 0], [1, 1], [2, 2], [3, 3]] },
        // no dropout at this scale: tests compare runs exactly and overfit single batches
        Resampler = new ResamplerConfig { NumQueries = 4, HiddenSize = 32, EncoderHiddenSize = 32, NumLayers = 2, NumHeads = 2, IntermediateSize = 64, HiddenDropout = 0, AttentionDropout = 0 },
        Decoder = new DecoderConfig(VocabSize: 64, HiddenSize: 64, IntermediateSize: 128, NumLayers: 2, NumHeads: 4, MaxPositionEmbeddings: 512),
        CrossAttention = new CrossAttentionConfig { Frequency = 2, NumHeads = 4, NumPoints = 2, OffsetInitMagnitude = 2, MaxImagesPerSequence = 8 },
        Tokens = new SpecialTokens(Bos: 1, Eos: 2, Pad: 0, BeginOfImage: 62, Image: 63),
        TextHead = TextHeadKind.Single,
        FreezeLanguageModel = false,
        FreezeVisionEncoder = false,
    }.Validated();

    /// <summary>The ablation model: 64-px images of 4×4 glyph grids; a ViT of width 64 on an 8×8 patch grid behind a
    /// convolutional stem (the pilot's stem, one more halving), the ViT-Adapter with a narrow spatial prior module, 8
    /// visual tokens, a 4-layer decoder of width 128 with MMFS every 2 layers reading levels 16/8/4, offsets initialised over
    /// a quarter of the base grid (pilot finding). Its vision encoder is pre-trained (`mmi pretrain-encoder`) and frozen,
    /// as the paper freezes CLIP.
    /// Why an 8×8 grid: the adapter's spatial prior module runs on the image upsampled to 16× the grid side; with a 16×16
    /// grid that is 256 px per image and cost 2 s per 64 images forward on 2 cores, an 8×8 grid costs 0.4 s.</summary>
    public static ModelConfig Small => new ModelConfig
    {
        Vision = new VisionEncoderConfig(ImageSize: 64, PatchSize: 8, HiddenSize: 64, NumLayers: 4, NumHeads: 4, IntermediateSize: 256)
        {
            ConvStemWidths = [32, 32, 64, 64, 64, 64],
        },
        Adapter = new AdapterConfig { ConvInplanes = 8, DeformHeads = 4, DeformPoints = 4, InteractionIndexes = [[0, 0], [1, 1], [2, 2], [3, 3]] },
        // No dropout (the reference's Q-Former has 0.1): procedural data never repeats, and without it a run draws nothing
        // from libtorch's global generator after initialisation, so runs in parallel threads stay deterministic.
        Resampler = new ResamplerConfig { NumQueries = 8, HiddenSize = 64, EncoderHiddenSize = 64, NumLayers = 4, NumHeads = 4, IntermediateSize = 256, HiddenDropout = 0, AttentionDropout = 0 },
        Decoder = new DecoderConfig(VocabSize: 512, HiddenSize: 128, IntermediateSize: 384, NumLayers: 4, NumHeads: 4, MaxPositionEmbeddings: 1024),
        CrossAttention = new CrossAttentionConfig { Frequency = 2, NumHeads = 4, NumPoints = 4, OffsetInitMagnitude = 2, MaxImagesPerSequence = 16 },
        Tokens = new SpecialTokens(Bos: 1, Eos: 2, Pad: 0, BeginOfImage: 510, Image: 511),
        TextHead = TextHeadKind.Single,
        FreezeLanguageModel = false,
        FreezeVisionEncoder = true,
        FreezeAdapter = true,   // pre-trained together with the ViT (the reference's adapter is new and trains); see PretrainedEncoderFor
    }.Validated();

    /// <summary>The committed pre-trained encoder of the small preset (made by `mmi pretrain-encoder`; see data/encoders/README.md).</summary>
    public const string SmallEncoderPath = "data/encoders/small-encoder.safetensors";

    /// <summary>The pre-trained encoder a run of <paramref name="preset"/> starts from (the small preset's, at the config's
    /// input size), or null: the other presets train their encoder (tiny) or load real checkpoints (paper).</summary>
    /// <paramref name="objective"/> picks which pre-training's encoder (default: the committed per-cell-label one).
    public static string? PretrainedEncoderFor(string preset, ModelConfig config, Training.EncoderObjective objective = Training.EncoderObjective.CellLabels) =>
        preset.Equals("small", StringComparison.OrdinalIgnoreCase) ? SmallEncoderPathAt(config.Vision.ImageSize, objective) : null;

    /// <summary>Where the small preset's encoder pre-trained at another input size lives (<see cref="SmallEncoderPath"/> at 64 px),
    /// with a <c>-isolated-glyphs</c> or <c>-scattered-glyphs</c> suffix for those objectives' encoders.</summary>
    public static string SmallEncoderPathAt(int imageSize, Training.EncoderObjective objective = Training.EncoderObjective.CellLabels) =>
        (imageSize == 64 ? "data/encoders/small-encoder" : $"data/encoders/small-encoder-{imageSize}px") +
        objective switch { Training.EncoderObjective.IsolatedGlyphs => "-isolated-glyphs", Training.EncoderObjective.ScatteredGlyphs => "-scattered-glyphs", _ => "" } + ".safetensors";

    /// <summary>The reference model (reference-spec §1.2, §2, §3).</summary>
    public static ModelConfig Paper => new ModelConfig().Validated();
}
