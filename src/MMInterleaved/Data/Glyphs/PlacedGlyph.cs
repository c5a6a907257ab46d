namespace MMInterleaved.Data.Glyphs;

/// <summary>A glyph as placed in a scene: cell (0-based), kind, colour, centre and height in pixels, and the pixel box
/// that holds every pixel it touches.</summary>
public sealed record PlacedGlyph(int Row, int Column, GlyphKind Kind, GlyphColor Color, float CenterX, float CenterY, float Height, PixelBox Box);
