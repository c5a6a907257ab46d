namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// How grid scenes look. The defaults give the pilot's regime (pilot-findings.md): a 64 px image, a 4×4 grid of 16
/// glyphs about 9 px tall, so that a small visual-token budget, not the encoder, limits what a model can answer.
/// The same options drive Fashion-MNIST scenes (<see cref="Kinds"/> and <see cref="StrokeWidth"/> do not apply there).
/// </summary>
/// <param name="ImageSize">Image side in pixels (64; 224 works the same).</param>
/// <param name="GridSide">Cells per row and column (3 → 9 cells, 4 → 16).</param>
/// <param name="GlyphScale">The detail knob: glyph height as a fraction of the cell side (0.56 → 9 px glyphs in a
/// 16 px cell).</param>
/// <param name="Jitter">How far a glyph moves from its cell centre, as a fraction of the free room (0: centred,
/// 1: may touch the cell edge).</param>
/// <param name="FillProbability">Chance that a cell holds a glyph (a scene always holds at least one).</param>
/// <param name="Distractors">Number of small dots and short strokes drawn under the glyphs.</param>
/// <param name="BackgroundTexture">Noise and soft blobs on a randomly tinted dark background; off: flat dark grey.</param>
public sealed record GlyphSceneOptions(
    int ImageSize = 64,
    int GridSide = 4,
    double GlyphScale = 0.56,
    double Jitter = 0.5,
    double FillProbability = 1.0,
    int Distractors = 0,
    bool BackgroundTexture = true)
{
    /// <summary>Each glyph's height is GlyphScale·cell·(1 + u), u uniform in ±ScaleJitter.</summary>
    public double ScaleJitter { get; init; } = 0.1;

    /// <summary>Stroke width of digits and letters as a fraction of the glyph height (the cross uses 1.6×).</summary>
    public double StrokeWidth { get; init; } = 0.15;

    /// <summary>Which glyph groups are drawn.</summary>
    public GlyphKindSet Kinds { get; init; } = GlyphKindSet.All;

    /// <summary>How many palette colours are used (the first N of <see cref="GlyphPalette.Colors"/>).</summary>
    public int ColorCount { get; init; } = 8;

    /// <summary>Cell side in pixels.</summary>
    public double CellSize => (double)ImageSize / GridSide;

    /// <summary>Nominal glyph height in pixels (before <see cref="ScaleJitter"/>).</summary>
    public double GlyphHeight => GlyphScale * CellSize;

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public GlyphSceneOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("GlyphSceneOptions: " + message); }
        Require(ImageSize is >= 8 and <= 4096, $"ImageSize is {ImageSize}; it must be in 8…4096.");
        Require(GridSide is >= 1 and <= 16, $"GridSide is {GridSide}; it must be in 1…16.");
        Require(CellSize >= 4, $"ImageSize/GridSide is {CellSize:0.##} px; a cell must be at least 4 px.");
        Require(GlyphScale is > 0 and <= 1, $"GlyphScale is {GlyphScale}; it must be in (0, 1].");
        Require(ScaleJitter is >= 0 and < 1, $"ScaleJitter is {ScaleJitter}; it must be in [0, 1).");
        Require(GlyphScale * (1 + ScaleJitter) <= 1, $"GlyphScale·(1+ScaleJitter) is {GlyphScale * (1 + ScaleJitter):0.###}; it must be at most 1 so every glyph fits its cell.");
        Require(Jitter is >= 0 and <= 1, $"Jitter is {Jitter}; it must be in [0, 1].");
        Require(FillProbability is >= 0 and <= 1, $"FillProbability is {FillProbability}; it must be in [0, 1].");
        Require(Distractors is >= 0 and <= 10_000, $"Distractors is {Distractors}; it must be in 0…10000.");
        Require(StrokeWidth is > 0 and <= 0.3, $"StrokeWidth is {StrokeWidth}; it must be in (0, 0.3].");
        Require((Kinds & GlyphKindSet.All) != 0 && (Kinds & ~GlyphKindSet.All) == 0, $"Kinds is {Kinds}; it must be a non-empty combination of Digits, Letters and Shapes.");
        Require(ColorCount >= 1 && ColorCount <= GlyphPalette.Colors.Count, $"ColorCount is {ColorCount}; it must be in 1…{GlyphPalette.Colors.Count}.");
        return this;
    }
}
