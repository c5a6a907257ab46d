namespace MMInterleaved.Data.Glyphs;

/// <summary>A named palette colour (sRGB bytes).</summary>
public sealed record GlyphColor(string Name, byte R, byte G, byte B);
