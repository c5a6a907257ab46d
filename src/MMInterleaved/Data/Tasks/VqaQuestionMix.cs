namespace MMInterleaved.Data.Tasks;

/// <summary>
/// Relative weights of the grid VQA question types (metadata <c>question_type</c>). The default leans on questions
/// about one cell, which the pilot found a small visual-token budget cannot carry for 9–16 glyphs.
/// </summary>
/// <param name="GlyphAtCell"><c>glyph_at_cell</c>: "what is in the top left cell?" → "7".</param>
/// <param name="ColorAtCell"><c>color_at_cell</c>: "what color is the glyph in the top left cell?" → "red".</param>
/// <param name="Count"><c>count</c>: "how many red glyphs are there?" / "how many cells hold a 7?" → "2".</param>
/// <param name="Compare"><c>compare</c>: "is the glyph in A the same color (kind) as the glyph in B?" → "yes"/"no",
/// balanced.</param>
public sealed record VqaQuestionMix(double GlyphAtCell = 0.4, double ColorAtCell = 0.3, double Count = 0.15, double Compare = 0.15)
{
    /// <summary>The weights in the order glyph_at_cell, color_at_cell, count, compare.</summary>
    public double[] Weights => [GlyphAtCell, ColorAtCell, Count, Compare];

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public VqaQuestionMix Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("VqaQuestionMix: " + message); }
        Require(GlyphAtCell >= 0 && double.IsFinite(GlyphAtCell), $"GlyphAtCell is {GlyphAtCell}; it must be a finite non-negative weight.");
        Require(ColorAtCell >= 0 && double.IsFinite(ColorAtCell), $"ColorAtCell is {ColorAtCell}; it must be a finite non-negative weight.");
        Require(Count >= 0 && double.IsFinite(Count), $"Count is {Count}; it must be a finite non-negative weight.");
        Require(Compare >= 0 && double.IsFinite(Compare), $"Compare is {Compare}; it must be a finite non-negative weight.");
        Require(Weights.Sum() > 0, "all weights are 0; at least one must be positive.");
        return this;
    }
}
