using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Real;

/// <summary>A Fashion-MNIST item placed in a grid scene: cell (0-based), dataset index and label, tint, centre and
/// side in pixels, and the pixel box of its drawn (non-zero) pixels.</summary>
public sealed record FashionGridItem(int Row, int Column, int DatasetIndex, int Label, GlyphColor Color, float CenterX, float CenterY, float Side, PixelBox Box);
