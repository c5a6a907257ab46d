namespace MMInterleaved.Data.Glyphs;

/// <summary>One filled cell of a grid scene: its cell (0-based), kind, colour name and the pixel box of its drawn
/// pixels.</summary>
public sealed record GridItem(int Row, int Column, GridKind Kind, string Color, PixelBox Box);
