using System.Text.Json.Serialization;

namespace MMInterleaved.Vision;

/// <summary>
/// The CLIP vision tower's hyper-parameters, named after HF <c>CLIPVisionConfig</c>; the defaults are CLIP ViT-L/14
/// at 224 px as used by the reference (reference-spec.md §2.1).
/// </summary>
/// <param name="ImageSize">Input side in pixels (square images).</param>
/// <param name="PatchSize">Patch side; must divide ImageSize.</param>
/// <param name="HiddenSize">Token width W.</param>
/// <param name="NumLayers">Transformer layers (HF <c>num_hidden_layers</c>).</param>
/// <param name="NumHeads">Self-attention heads.</param>
/// <param name="IntermediateSize">MLP hidden width.</param>
/// <param name="LayerNormEps">Epsilon of <c>pre_layrnorm</c> and the layers' norms.</param>
/// <param name="HiddenAct">MLP activation: "quick_gelu" (x·σ(1.702x), CLIP's) or "gelu" (exact, erf).</param>
/// <param name="NumChannels">Input channels.</param>
public sealed record VisionEncoderConfig(
    int ImageSize = 224,
    int PatchSize = 14,
    int HiddenSize = 1024,
    int NumLayers = 24,
    int NumHeads = 16,
    int IntermediateSize = 4096,
    double LayerNormEps = 1e-5,
    string HiddenAct = "quick_gelu",
    int NumChannels = 3)
{
    /// <summary>Widths of a convolutional stem that replaces the single patch convolution (see <see cref="ConvStem"/>);
    /// null (default) keeps CLIP's patch embedding. Needs a power-of-two PatchSize P and 2·log2(P) widths.</summary>
    public int[]? ConvStemWidths { get; init; }

    /// <summary>The activations <see cref="HiddenAct"/> may name.</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = ["quick_gelu", "gelu"];

    /// <summary>Patches per side G = ImageSize / PatchSize.</summary>
    [JsonIgnore] public int GridSide => ImageSize / PatchSize;

    /// <summary>Patch tokens G².</summary>
    [JsonIgnore] public int NumPatches => GridSide * GridSide;

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public VisionEncoderConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("VisionEncoderConfig: " + message); }
        Require(ImageSize > 0, $"ImageSize is {ImageSize}; it must be positive.");
        Require(PatchSize > 0, $"PatchSize is {PatchSize}; it must be positive.");
        Require(ImageSize % PatchSize == 0, $"ImageSize is {ImageSize}; it must be a multiple of PatchSize ({PatchSize}).");
        Require(HiddenSize > 0, $"HiddenSize is {HiddenSize}; it must be positive.");
        Require(NumLayers > 0, $"NumLayers is {NumLayers}; it must be positive.");
        Require(NumHeads > 0, $"NumHeads is {NumHeads}; it must be positive.");
        Require(HiddenSize % NumHeads == 0, $"HiddenSize is {HiddenSize}; it must be divisible by NumHeads ({NumHeads}).");
        Require(IntermediateSize > 0, $"IntermediateSize is {IntermediateSize}; it must be positive.");
        Require(LayerNormEps > 0, $"LayerNormEps is {LayerNormEps}; it must be positive.");
        Require(HiddenAct is not null && SupportedActivations.Contains(HiddenAct),
            $"HiddenAct is \"{HiddenAct}\"; it must be one of {string.Join(", ", SupportedActivations.Select(a => $"\"{a}\""))}.");
        Require(NumChannels > 0, $"NumChannels is {NumChannels}; it must be positive.");
        if (ConvStemWidths is { } widths)
        {
            bool powerOfTwo = PatchSize >= 2 && (PatchSize & (PatchSize - 1)) == 0;
            int pairs = powerOfTwo ? (int)Math.Log2(PatchSize) : 0;
            Require(powerOfTwo, $"ConvStemWidths is set, so PatchSize ({PatchSize}) must be a power of two of at least 2.");
            Require(widths.Length == 2 * pairs && widths.All(w => w > 0),
                $"ConvStemWidths has {widths.Length} entries ([{string.Join(", ", widths)}]); PatchSize {PatchSize} needs {2 * pairs} positive widths (stride 1, 2 per halving).");
        }
        return this;
    }
}
