using System.Text.Json.Serialization;

namespace MMInterleaved.Language;

/// <summary>
/// The decoder-side MMFS (the reference's <c>LlamaMMFSAttention</c>, "llama_cross_attn") and its ablation switches.
/// Defaults are the reference's: every 4th layer from layer 0, 16 heads, 8 points, the adapter's levels c2–c4
/// (sides 32/16/8 at 224 px), offsets in cells of the 16×16 patch grid, initial offset magnitude 3, 50 image slots.
/// </summary>
public sealed record CrossAttentionConfig
{
    /// <summary>MMFS on/off (off: no cross-attention layer at all; the reference has no such switch).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Deformable MMFS, or a dense alternative for the Table 7 ablation.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<CrossAttentionKind>))]
    public CrossAttentionKind Kind { get; init; } = CrossAttentionKind.Deformable;

    /// <summary>A cross-attention layer sits in every decoder layer whose index is a multiple of this.</summary>
    public int Frequency { get; init; } = 4;

    /// <summary>Attention heads.</summary>
    public int NumHeads { get; init; } = 16;

    /// <summary>Sampling points per head, image and level.</summary>
    public int NumPoints { get; init; } = 8;

    /// <summary>Which of the vision encoder's multi-scale maps MMFS reads, as indices into [c1 (4G), c2 (2G), c3 (G),
    /// c4 (G/2)] with G the patch-grid side; the reference reads c2, c3, c4. A subset is the multi-scale ablation.</summary>
    public int[] FeatureLevels { get; init; } = [1, 2, 3];

    /// <summary>Side of the grid whose cells measure offsets; null = the patch-grid side G (the reference's 16).</summary>
    public int? BaseSpatialShape { get; init; }

    /// <summary>Sampling-offset biases start U(−m, m) in base-grid cells.</summary>
    public double OffsetInitMagnitude { get; init; } = 3.0;

    /// <summary>Size of the relative image index embedding.</summary>
    public int MaxImagesPerSequence { get; init; } = 50;

    /// <summary>All previous images of the segment (reference) or only the nearest previous one (the multi-image ablation).</summary>
    public bool MultiImage { get; init; } = true;

    /// <summary>Initial value of the tanh gate (the reference: 0, so the decoder starts unchanged).</summary>
    public double GateInit { get; init; }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public CrossAttentionConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("CrossAttentionConfig: " + message); }
        Require(Frequency > 0, $"Frequency is {Frequency}; it must be positive.");
        Require(NumHeads > 0, $"NumHeads is {NumHeads}; it must be positive.");
        Require(NumPoints > 0, $"NumPoints is {NumPoints}; it must be positive.");
        Require(FeatureLevels.Length > 0 && FeatureLevels.All(l => l is >= 0 and <= 3) && FeatureLevels.Distinct().Count() == FeatureLevels.Length,
            $"FeatureLevels is [{string.Join(", ", FeatureLevels)}]; it must be distinct indices in 0..3 (c1..c4).");
        Require(BaseSpatialShape is null or > 0, $"BaseSpatialShape is {BaseSpatialShape}; it must be positive or null.");
        Require(MaxImagesPerSequence > 1, $"MaxImagesPerSequence is {MaxImagesPerSequence}; it must be at least 2.");
        Require(OffsetInitMagnitude >= 0, $"OffsetInitMagnitude is {OffsetInitMagnitude}; it must be non-negative.");
        return this;
    }

    /// <summary>Whether decoder layer <paramref name="layer"/> has a cross-attention block.</summary>
    public bool HasLayer(int layer) => Enabled && layer % Frequency == 0;
}
