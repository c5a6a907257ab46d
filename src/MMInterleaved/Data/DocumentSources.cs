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

    /// <summary>
    /// Documents per second on the calling thread, images included: builds documents <paramref name="start"/>… and
    /// loads (renders or decodes) every image once, disposing the tensors. One document first, untimed, to warm up.
    /// </summary>
    public static double DocumentsPerSecond(this IDocumentSource source, int count, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        static void Touch(InterleavedDocument d)
        {
            foreach (var image in d.Images) image.Load().Dispose();
        }
        Touch(source.Get(start));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int n = 0;
        foreach (var d in source.Take(count, start + 1)) { Touch(d); n++; }
        return n / watch.Elapsed.TotalSeconds;
    }
}
