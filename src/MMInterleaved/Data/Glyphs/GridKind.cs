namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// What a grid item is, as text uses it. <paramref name="Name"/> is the one-word answer ("7", "e", "circle",
/// "sneaker"); <paramref name="Noun"/> is how questions and captions refer to it ("7", "letter e", "circle");
/// <paramref name="Category"/> groups kinds ("digit", "letter", "shape", "fashion").
/// </summary>
public sealed record GridKind(string Name, string Noun, string Category);
