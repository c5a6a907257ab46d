namespace MMInterleaved.Evaluation;

/// <summary>Options of <see cref="ImageFolderScores.Score"/>.</summary>
/// <param name="GridSide">The grid of the glyph scenes the FID-glyph and mIoU segmenter is trained on (the task's --grid).</param>
/// <param name="MapsFolder">Segmentation maps (same file names) to score mIoU against; null: no mIoU.</param>
/// <param name="InceptionWeights">pytorch-fid's InceptionV3 weights; null: <see cref="Inception.FidInceptionV3.FindWeights"/>.</param>
/// <param name="SegmenterCacheFolder">Where segmenters are cached; null: <see cref="GlyphSegmenter.DefaultCacheFolder"/>.</param>
/// <param name="SegmenterTraining">How a missing segmenter is trained; null: the defaults (as `mmi eval` uses).</param>
public sealed record ImageFolderScoreOptions(int GridSide = 1, string? MapsFolder = null, string? InceptionWeights = null,
    string? SegmenterCacheFolder = null, SegmenterTrainingOptions? SegmenterTraining = null)
{
    /// <summary>The glyph kinds of the scenes (the segmenter's classes: background, then these kinds in order).</summary>
    public Data.Glyphs.GlyphKindSet Kinds { get; init; } = Data.Glyphs.GlyphKindSet.All;
}
