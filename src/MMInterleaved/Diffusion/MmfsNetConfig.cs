using System.Text.Json.Serialization;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The UNet-side MMFS (the reference's <c>MMFSNet</c>, sd_mmfs.py): one MMFS block per skip feature and one on the mid
/// block. The reference hard-codes the attention width (1024) and heads (16); here they are values, with its defaults.
/// </summary>
public sealed record MmfsNetConfig
{
    /// <summary>Width of the image features MMFS reads (the visual tokenizer's maps; 1024 in the paper).</summary>
    public int InputChannel { get; init; } = 1024;
    /// <summary>MMFS inner width (d_model; value width at ratio 1).</summary>
    public int AttnDim { get; init; } = 1024;
    /// <summary>MMFS heads.</summary>
    public int NumHeads { get; init; } = 16;
    /// <summary>Sampling points per head, image and level.</summary>
    public int NumPoints { get; init; } = 8;
    /// <summary>Sides of the feature maps, one per level (the paper's 64, 32, 16, 8).</summary>
    public IReadOnlyList<int> SpatialShapes { get; init; } = [64, 32, 16, 8];
    /// <summary>The reference's <c>downsample_factor</c>: the position table covers a (64 / factor)² grid, and with
    /// <see cref="MmfsNetBase.Reference"/> the base grid is SpatialShapes[i / 3] / factor.</summary>
    public int DownsampleFactor { get; init; } = 1;
    /// <summary>How the base grid (S_base, in whose cells offsets are measured) of each block is chosen.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<MmfsNetBase>))]
    public MmfsNetBase BaseSpatialShape { get; init; } = MmfsNetBase.SkipSide;
    /// <summary>Initial offset range in base-grid cells (MMFSBlock's default 1).</summary>
    public double OffsetInitMagnitude { get; init; } = 1;
    /// <summary>Size of the relative-image-index table (MMFSBlock's 10).</summary>
    public int MaxImagesPerSequence { get; init; } = 10;

    /// <summary>Feature levels.</summary>
    [JsonIgnore] public int NumLevels => SpatialShapes.Count;
    /// <summary>Side of the frozen position table's grid.</summary>
    [JsonIgnore] public int PositionGrid => 64 / DownsampleFactor;

    /// <summary>Checks the values; throws an ArgumentException naming the field.</summary>
    public MmfsNetConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("MmfsNetConfig: " + message); }
        Require(InputChannel > 0 && AttnDim > 0 && NumHeads > 0 && NumPoints > 0 && MaxImagesPerSequence > 1, "widths, heads, points and MaxImagesPerSequence must be positive (MaxImagesPerSequence at least 2).");
        Require(AttnDim % NumHeads == 0, $"AttnDim ({AttnDim}) must be a multiple of NumHeads ({NumHeads}).");
        Require(SpatialShapes.Count > 0 && SpatialShapes.All(s => s > 0), "SpatialShapes must list at least one positive side.");
        Require(DownsampleFactor > 0 && 64 % DownsampleFactor == 0, $"DownsampleFactor is {DownsampleFactor}; it must divide 64.");
        return this;
    }
}
