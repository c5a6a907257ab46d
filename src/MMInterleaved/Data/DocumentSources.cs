namespace MMInterleaved.Data;

/// <summary>Helpers over <see cref="IDocumentSource"/>.</summary>
public static class DocumentSources
{
    /// <summary>Documents <paramref name="start"/>, <paramref name="start"/>+1, … (<paramref name="count"/> of them, or to
    /// the end of a finite source), produced lazily.</summary>
    public static IEnumerable<InterleavedDocument> Take(this IDocumentSource source, long count, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long end = source.Count is long n ? Math.Min(n, start + count) : start + count;
        for (long i = start; i < end; i++) yield return source.Get(i);
    }
}
