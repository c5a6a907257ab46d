namespace MMInterleaved.Data;

/// <summary>
/// A dataset of interleaved documents addressed by index. Document <c>i</c> is a pure function of the source's
/// configuration and <c>i</c>: asking twice gives equal documents, so training, evaluation and export agree.
/// </summary>
public interface IDocumentSource
{
    /// <summary>Task name, e.g. <c>glyph-vqa</c> or <c>coco-caption</c>.</summary>
    string Name { get; }

    /// <summary>Number of documents, or null for a procedural source with no end (every non-negative index works).</summary>
    long? Count { get; }

    /// <summary>Document <paramref name="index"/> (0-based).</summary>
    InterleavedDocument Get(long index);
}
