namespace MMInterleaved.Data.Glyphs;

/// <summary>The eight glyph colours: saturated, far apart in hue or lightness, all bright against the dark
/// backgrounds. <see cref="GlyphSceneOptions.ColorCount"/> uses the first N.</summary>
public static class GlyphPalette
{
    /// <summary>red, green, blue, yellow, magenta, cyan, white, orange.</summary>
    public static IReadOnlyList<GlyphColor> Colors { get; } =
    [
        new("red", 235, 45, 40),
        new("green", 45, 205, 65),
        new("blue", 70, 120, 255),
        new("yellow", 245, 225, 40),
        new("magenta", 225, 65, 225),
        new("cyan", 45, 220, 235),
        new("white", 245, 245, 245),
        new("orange", 255, 145, 25),
    ];
}
