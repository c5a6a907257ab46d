using System.Globalization;
using System.Text.RegularExpressions;

namespace MMInterleaved.Evaluation;

/// <summary>
/// A box as MM-Interleaved's grounding output writes it: <c>(x1,y1)(x2,y2)</c> with integer coordinates on a
/// 0…999 grid over the image (x to the right, y down).
/// </summary>
/// <param name="X1">Left edge, 0…999.</param>
/// <param name="Y1">Top edge, 0…999.</param>
/// <param name="X2">Right edge, X1…999.</param>
/// <param name="Y2">Bottom edge, Y1…999.</param>
public readonly record struct GroundingBox(int X1, int Y1, int X2, int Y2)
{
    // Spaces are tolerated around every number and between the two corners.
    private const string Pattern = @"\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)\s*\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)";
    private static readonly Regex Whole = new($"^\\s*{Pattern}\\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Anywhere = new(Pattern, RegexOptions.CultureInvariant);

    /// <summary>
    /// Parses exactly one box, e.g. <c>"(12, 40)(500,999)"</c>. Fails on anything else: missing corners or numbers,
    /// non-integers, coordinates above 999, or x2 &lt; x1 or y2 &lt; y1.
    /// </summary>
    public static bool TryParse(string? text, out GroundingBox box) => TryMatch(text is null ? null : Whole.Match(text), out box);

    /// <summary>
    /// Finds the first <c>(x1,y1)(x2,y2)</c> in a longer model output (the reference searches the whole output with
    /// <c>re.findall</c> and takes the first pair) and validates it as <see cref="TryParse"/> does.
    /// </summary>
    public static bool TryFind(string? text, out GroundingBox box) => TryMatch(text is null ? null : Anywhere.Match(text), out box);

    /// <summary>The box in pixels of a <paramref name="width"/> × <paramref name="height"/> image (coordinate / 999 · size).</summary>
    public ImageBox ToImage(int width, int height) => ImageBox.FromGrid(X1, Y1, X2, Y2, width, height);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({X1},{Y1})({X2},{Y2})");

    private static bool TryMatch(Match? match, out GroundingBox box)
    {
        box = default;
        if (match is null || !match.Success) return false;
        var values = new int[4];
        for (int i = 0; i < 4; i++)
        {
            string digits = match.Groups[i + 1].Value;
            if (digits.Length > 4 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] > ImageBox.GridMax) return false;
        }
        if (values[2] < values[0] || values[3] < values[1]) return false;
        box = new GroundingBox(values[0], values[1], values[2], values[3]);
        return true;
    }
}
