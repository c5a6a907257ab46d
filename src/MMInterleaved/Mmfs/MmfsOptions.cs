using System.Text.Json.Serialization;

namespace MMInterleaved.Mmfs;

/// <summary>
/// Constructor arguments of the reference's <c>MMFS</c> module (mm_interleaved/models/utils/ops/modules/mmfs.py),
/// with their names and defaults, plus two initialisation choices the reference makes outside the module.
/// </summary>
/// <param name="DModel">Hidden width; the value width is DModel·Ratio.</param>
/// <param name="DQuery">Query input width (-1: DModel).</param>
/// <param name="DValue">Feature (value input) width.</param>
/// <param name="DOut">Output width (-1: DModel).</param>
/// <param name="NumLevels">Feature levels per image.</param>
/// <param name="NumHeads">Attention heads.</param>
/// <param name="NumPoints">Sampling points per head, image and level (offsets are shared by the levels).</param>
/// <param name="Ratio">Value width = DModel·Ratio.</param>
/// <param name="OffsetInitMagnitude">Sampling-offset biases start U(−m, m), in base-grid cells.</param>
/// <param name="SpatialShapes">Side of each level's (square) map, used for the per-level offset scale.</param>
/// <param name="BaseSpatialShape">Side of the grid in whose cells offsets are measured.</param>
/// <param name="MaxImagesPerSequence">Size of the relative-image-index embedding.</param>
public sealed record MmfsOptions(
    int DModel = 256,
    int DQuery = -1,
    int DValue = 256,
    int DOut = -1,
    int NumLevels = 4,
    int NumHeads = 8,
    int NumPoints = 8,
    double Ratio = 1.0,
    double OffsetInitMagnitude = 3,
    int[]? SpatialShapes = null,
    int BaseSpatialShape = 16,
    int MaxImagesPerSequence = 50)
{
    /// <summary>Whether <c>ignore_token</c> trains. The reference creates it frozen, but its LLM re-enables training
    /// for every <c>llama_cross_attn</c> parameter, so the decoder copies train and the UNet copies do not.</summary>
    public bool IgnoreTokenTrainable { get; init; }

    /// <summary>Initial std of the <c>attention_weights</c> and <c>dynamic_offset_mask</c> weights. Null: PyTorch's
    /// default Linear init (the UNet copies); 0.02: HF's N(0, 0.02), which the LLM copies get in from_pretrained.</summary>
    public double? ProjectionInitStd { get; init; }

    /// <summary>Effective query width.</summary>
    [JsonIgnore] public int QueryDim => DQuery < 0 ? DModel : DQuery;
    /// <summary>Effective output width.</summary>
    [JsonIgnore] public int OutDim => DOut < 0 ? DModel : DOut;
    /// <summary>Value width (DModel·Ratio), split over the heads.</summary>
    // (the reference truncates with int(); the epsilon keeps e.g. 5120·0.2 = 1023.99999… from truncating to 1023)
    [JsonIgnore] public int ValueDim => (int)Math.Floor(DModel * Ratio + 1e-9);
    /// <summary>Per-level sides (default: a single level of side 16, as in the reference signature).</summary>
    [JsonIgnore] public int[] Sides => SpatialShapes ?? [16];

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public MmfsOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("MmfsOptions: " + message); }
        Require(DModel > 0, $"DModel is {DModel}; it must be positive.");
        Require(DQuery == -1 || DQuery > 0, $"DQuery is {DQuery}; it must be positive, or -1 for DModel.");
        Require(DValue > 0, $"DValue is {DValue}; it must be positive.");
        Require(DOut == -1 || DOut > 0, $"DOut is {DOut}; it must be positive, or -1 for DModel.");
        Require(NumLevels > 0, $"NumLevels is {NumLevels}; it must be positive.");
        Require(NumHeads > 0, $"NumHeads is {NumHeads}; it must be positive.");
        Require(NumPoints > 0, $"NumPoints is {NumPoints}; it must be positive.");
        Require(Ratio > 0, $"Ratio is {Ratio}; it must be positive.");
        Require(DModel % NumHeads == 0, $"DModel is {DModel}; it must be divisible by NumHeads ({NumHeads}).");
        Require(ValueDim > 0 && ValueDim % NumHeads == 0, $"DModel·Ratio is {DModel * Ratio}; it must be a positive multiple of NumHeads ({NumHeads}).");
        Require(Sides.Length == NumLevels, $"SpatialShapes has {Sides.Length} entries ([{string.Join(", ", Sides)}]); it must have NumLevels = {NumLevels}.");
        Require(Sides.All(s => s > 0), $"SpatialShapes [{string.Join(", ", Sides)}] must all be positive.");
        Require(BaseSpatialShape > 0, $"BaseSpatialShape is {BaseSpatialShape}; it must be positive.");
        Require(MaxImagesPerSequence > 1, $"MaxImagesPerSequence is {MaxImagesPerSequence}; it must be at least 2 (index 0 is 'no image').");
        Require(OffsetInitMagnitude >= 0, $"OffsetInitMagnitude is {OffsetInitMagnitude}; it must be non-negative.");
        Require(ProjectionInitStd is null or > 0, $"ProjectionInitStd is {ProjectionInitStd}; it must be positive or null.");
        return this;
    }
}
