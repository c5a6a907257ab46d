namespace MMInterleaved.Data;

/// <summary>
/// An interleaved document: ordered text and image segments, an id, and metadata that evaluation uses (for example
/// <c>task</c>, <c>answer</c>, <c>answers</c> (JSON array), <c>question_type</c>, <c>box</c>).
/// </summary>
public sealed record InterleavedDocument(IReadOnlyList<DocumentSegment> Segments, string Id = "", IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>The image segments in order.</summary>
    public IEnumerable<ImageSegment> Images => Segments.OfType<ImageSegment>();

    /// <summary>A metadata value or null.</summary>
    public string? Meta(string key) => Metadata is not null && Metadata.TryGetValue(key, out var v) ? v : null;
}
