using MMInterleaved.Model;

namespace MMInterleaved.Data.Sequences;

/// <summary>
/// Batches of <see cref="BatchSize"/> packed rows from a document source: document i = <c>source(i)</c>, i = 0, 1, …
/// (null ends the stream; the source must give the same document for the same index), built, packed and collated.
/// <see cref="Position"/> after any batch restores the stream exactly: pass it to a new stream over the same source and
/// settings. At the end of a finite source the last batch may hold fewer rows.
/// </summary>
public sealed class BatchStream
{
    private readonly Func<long, InterleavedDocument?> source;
    private readonly SequenceBuilder builder;
    private readonly SequencePacker packer;
    private readonly BatchCollator collator;
    private IEnumerator<PackedSequence>? rows;
    private long documentsRead;
    private bool ended;

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }
    /// <summary>Where the stream stands (after the last batch returned).</summary>
    public DataStreamPosition Position { get; private set; }

    /// <summary>A stream starting at <paramref name="start"/> (the beginning when null).</summary>
    public BatchStream(Func<long, InterleavedDocument?> source, SequenceBuilder builder, SequencePacker packer, BatchCollator collator,
        int batchSize, DataStreamPosition? start = null)
    {
        SequenceChecks.Require(batchSize > 0, $"BatchStream: batchSize is {batchSize}; it must be positive.");
        this.source = source;
        this.builder = builder;
        this.packer = packer;
        this.collator = collator;
        BatchSize = batchSize;
        Position = (start ?? new DataStreamPosition()).Validated();
        documentsRead = Position.NextDocument;
    }

    /// <summary>The rows of the next batch, or null when the source has ended.</summary>
    public IReadOnlyList<PackedSequence>? NextRows()
    {
        if (ended) return null;
        rows ??= packer.Pack(Documents(Position.NextDocument)).GetEnumerator();
        var batch = new List<PackedSequence>(BatchSize);
        while (batch.Count < BatchSize && rows.MoveNext()) batch.Add(rows.Current);
        if (batch.Count < BatchSize) ended = true;
        if (batch.Count == 0) return null;
        long next = batch[^1].DocumentIndices[^1] + 1;
        Position = new DataStreamPosition(next, documentsRead - next, Position.Batches + 1, Position.Sequences + batch.Count,
            Position.TruncatedDocuments + batch.Sum(r => r.Truncated));
        return batch;
    }

    /// <summary>The next batch, or null when the source has ended.</summary>
    public InterleavedBatch? Next() => NextRows() is { } batch ? collator.Collate(batch) with { Ordinal = Position.Batches - 1 } : null;

    /// <summary>Every remaining batch.</summary>
    public IEnumerable<InterleavedBatch> Batches()
    {
        while (Next() is { } batch) yield return batch;
    }

    private IEnumerable<TokenizedDocument> Documents(long first)
    {
        for (long i = first; ; i++)
        {
            var document = source(i);
            if (document is null) yield break;
            documentsRead = i + 1;
            yield return builder.Build(document, i);
        }
    }
}
