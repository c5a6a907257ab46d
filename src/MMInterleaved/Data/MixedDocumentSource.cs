namespace MMInterleaved.Data;

/// <summary>
/// Interleaves unbounded sources in a fixed repeating pattern: with pattern [0, 0, 0, 1], documents 0–2 are the first
/// three of source 0, document 3 the first of source 1, document 4 the fourth of source 0, and so on. Deterministic, so a
/// mixed training stream resumes exactly like a single task's.
/// </summary>
public sealed class MixedDocumentSource : IDocumentSource
{
    private readonly IReadOnlyList<IDocumentSource> sources;
    private readonly int[] pattern;
    private readonly int[] rank;        // position of pattern[j] among the pattern's entries for the same source
    private readonly int[] perCycle;    // entries per cycle for each source

    /// <summary>Mixes <paramref name="sources"/> (each unbounded) in <paramref name="pattern"/> (indices into sources).</summary>
    public MixedDocumentSource(string name, IReadOnlyList<IDocumentSource> sources, IReadOnlyList<int> pattern)
    {
        if (sources.Count == 0) throw new ArgumentException("MixedDocumentSource: no sources.");
        if (sources.FirstOrDefault(s => s.Count is not null) is { } finite)
            throw new ArgumentException($"MixedDocumentSource: source {finite.Name} is finite; mixing needs unbounded sources.");
        if (pattern.Count == 0 || pattern.Any(p => p < 0 || p >= sources.Count))
            throw new ArgumentException($"MixedDocumentSource: the pattern must be non-empty indices into the {sources.Count} sources.");
        Name = name;
        this.sources = sources;
        this.pattern = pattern.ToArray();
        perCycle = new int[sources.Count];
        rank = new int[this.pattern.Length];
        for (int j = 0; j < this.pattern.Length; j++) rank[j] = perCycle[this.pattern[j]]++;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long? Count => null;

    /// <inheritdoc/>
    public InterleavedDocument Get(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int j = (int)(index % pattern.Length);
        int source = pattern[j];
        return sources[source].Get(index / pattern.Length * perCycle[source] + rank[j]);
    }
}
