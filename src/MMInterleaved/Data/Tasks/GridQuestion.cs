namespace MMInterleaved.Data.Tasks;

/// <summary>A question about a grid scene with its one-word answer, its type (<c>glyph_at_cell</c>,
/// <c>color_at_cell</c>, <c>count</c>, <c>compare</c>) and extra metadata (the cells it is about).</summary>
public sealed record GridQuestion(string Text, string Answer, string Type, IReadOnlyDictionary<string, string> Metadata);
