using System.Globalization;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// A box in pixel edge coordinates: it covers pixels x in [X1, X2) and y in [Y1, Y2), so a glyph whose drawn
/// (anti-aliased) pixels all lie inside has them at columns X1…X2−1 and rows Y1…Y2−1.
/// </summary>
public readonly record struct PixelBox(int X1, int Y1, int X2, int Y2)
{
    /// <summary>X2 − X1.</summary>
    public int Width => X2 - X1;
    /// <summary>Y2 − Y1.</summary>
    public int Height => Y2 - Y1;

    /// <summary>Whether pixel (x, y) lies inside.</summary>
    public bool Contains(int x, int y) => x >= X1 && x < X2 && y >= Y1 && y < Y2;

    /// <summary>The smallest box covering the continuous rectangle [left, right]×[top, bottom].</summary>
    public static PixelBox Covering(double left, double top, double right, double bottom) =>
        new((int)Math.Floor(left), (int)Math.Floor(top), (int)Math.Ceiling(right), (int)Math.Ceiling(bottom));

    /// <summary>This box clamped to a width×height image.</summary>
    public PixelBox ClampTo(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    /// <summary>
    /// The box as the reference's grounding text (reference-spec §7.3): "(x1,y1)(x2,y2)" with integers 0–999 written
    /// with three digits, v = coordinate / image side × 999. Lower corners round down and upper corners up, so the
    /// decoded box (v / 999 × side) still contains every pixel of this one.
    /// </summary>
    public string ToGroundingText(int imageWidth, int imageHeight)
    {
        int n(double v, int side, bool up) => Math.Clamp((int)(up ? Math.Ceiling(v * 999 / side - 1e-9) : Math.Floor(v * 999 / side + 1e-9)), 0, 999);
        return string.Create(CultureInfo.InvariantCulture,
            $"({n(X1, imageWidth, false):000},{n(Y1, imageHeight, false):000})({n(X2, imageWidth, true):000},{n(Y2, imageHeight, true):000})");
    }

    /// <summary>Parses "(x1,y1)(x2,y2)" (spaces allowed, any number of digits) into its four normalised integers, or
    /// null when the text does not hold that pattern. The first match wins, so trailing text is ignored.</summary>
    public static (int X1, int Y1, int X2, int Y2)? ParseGroundingText(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)");
        if (!m.Success) return null;
        int g(int i) => int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture);
        return (g(1), g(2), g(3), g(4));
    }

    /// <summary>"[x1,y1,x2,y2]" (the <c>box</c> metadata value).</summary>
    public string ToJson() => string.Create(CultureInfo.InvariantCulture, $"[{X1},{Y1},{X2},{Y2}]");
}
