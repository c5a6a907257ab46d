namespace MMInterleaved.Data;

/// <summary>
/// Another source's documents with every image taken out (the text and metadata kept): what a model learns from the text
/// alone. The ablations' <c>text-only</c> arm trains and is scored on it, so its accuracy is the answer prior that every
/// arm that reads the image must beat.
/// </summary>
public sealed class ImagelessDocumentSource(IDocumentSource inner) : IDocumentSource
{
    /// <inheritdoc/>
    public string Name { get; } = inner.Name + "+no-images";

    /// <inheritdoc/>
    public long? Count => inner.Count;

    /// <inheritdoc/>
    public InterleavedDocument Get(long index)
    {
        var document = inner.Get(index);
        return document with { Segments = [.. document.Segments.Where(s => s is not ImageSegment)] };
    }
}
