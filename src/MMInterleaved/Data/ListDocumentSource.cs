namespace MMInterleaved.Data;

/// <summary>A finite source over documents already built (real-data loaders, files read with
/// <see cref="Files.DocumentFile"/>).</summary>
public sealed class ListDocumentSource(string name, IReadOnlyList<InterleavedDocument> documents) : IDocumentSource
{
    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <summary>The documents in order.</summary>
    public IReadOnlyList<InterleavedDocument> Documents { get; } = documents;

    /// <inheritdoc/>
    public long? Count => Documents.Count;

    /// <inheritdoc/>
    public InterleavedDocument Get(long index)
    {
        if (index < 0 || index >= Documents.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Documents.Count} documents.");
        return Documents[(int)index];
    }
}
