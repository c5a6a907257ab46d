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
/// <param name="CountColors"><c>count_colors</c> (coarse): "how many colors are there?" → "7" (distinct colours; it replaced
/// an item count that was the constant 16 when every cell is filled, the default).</param>
/// <param name="DominantColor"><c>dominant_color</c> (coarse): "which color do most glyphs have?" → "red" (asked only of a
/// scene with one most frequent colour; otherwise an <c>any_kind</c> question is asked instead).</param>
/// <param name="AnyKind"><c>any_kind</c> (coarse): "is there a circle?" → "yes"/"no", balanced.</param>
/// <remarks>The three coarse types ask about the whole scene, what a handful of visual tokens can carry, where the fine
/// ones name a cell. They are off by default (weight 0), so the default mix, and every task built on it, draws exactly
/// the questions it drew before they existed; <see cref="WithCoarse"/> mixes them in.</remarks>
public sealed record VqaQuestionMix(double GlyphAtCell = 0.4, double ColorAtCell = 0.3, double Count = 0.15, double Compare = 0.15,
    double CountColors = 0, double DominantColor = 0, double AnyKind = 0)
{
    /// <summary>The weights in <see cref="GridText.QuestionTypes"/> order: glyph_at_cell, color_at_cell, count, compare,
    /// count_colors, dominant_color, any_kind.</summary>
    public double[] Weights => [GlyphAtCell, ColorAtCell, Count, Compare, CountColors, DominantColor, AnyKind];

    /// <summary>This mix with a <paramref name="share"/> (0 ≤ share &lt; 1) of coarse questions, split evenly over the three
    /// coarse types; the fine types keep their proportions in the rest.</summary>
    public VqaQuestionMix WithCoarse(double share)
    {
        if (!(share >= 0 && share < 1)) throw new ArgumentException($"VqaQuestionMix: a coarse share of {share}; it must be in [0, 1).");
        if (share == 0) return this;   // exactly this mix, not a rescaled copy that rounding could move
        double fine = GlyphAtCell + ColorAtCell + Count + Compare, scale = (1 - share) / fine;
        return new(GlyphAtCell * scale, ColorAtCell * scale, Count * scale, Compare * scale, share / 3, share / 3, share / 3);
    }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public VqaQuestionMix Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("VqaQuestionMix: " + message); }
        Require(GlyphAtCell >= 0 && double.IsFinite(GlyphAtCell), $"GlyphAtCell is {GlyphAtCell}; it must be a finite non-negative weight.");
        Require(ColorAtCell >= 0 && double.IsFinite(ColorAtCell), $"ColorAtCell is {ColorAtCell}; it must be a finite non-negative weight.");
        Require(Count >= 0 && double.IsFinite(Count), $"Count is {Count}; it must be a finite non-negative weight.");
        Require(Compare >= 0 && double.IsFinite(Compare), $"Compare is {Compare}; it must be a finite non-negative weight.");
        Require(CountColors >= 0 && double.IsFinite(CountColors), $"CountColors is {CountColors}; it must be a finite non-negative weight.");
        Require(DominantColor >= 0 && double.IsFinite(DominantColor), $"DominantColor is {DominantColor}; it must be a finite non-negative weight.");
        Require(AnyKind >= 0 && double.IsFinite(AnyKind), $"AnyKind is {AnyKind}; it must be a finite non-negative weight.");
        Require(Weights.Sum() > 0, "all weights are 0; at least one must be positive.");
        return this;
    }
}
