using MMInterleaved.Data.Sequences;
using MMInterleaved.Model;

namespace MMInterleaved.Training;

/// <summary>A <see cref="BatchStream"/> as the trainer's batch source: its position is the stream's JSON position, and
/// restoring rebuilds the stream there. A finite source that runs out starts again from its first document (an epoch).</summary>
public sealed class BatchStreamSource(Func<DataStreamPosition?, BatchStream> open) : IBatchSource<InterleavedBatch>
{
    private BatchStream stream = open(null);

    /// <inheritdoc />
    public InterleavedBatch Next()
    {
        if (stream.Next() is { } batch) return batch;
        stream = open(null);
        return stream.Next() ?? throw new InvalidOperationException("the training data source holds no document.");
    }

    /// <inheritdoc />
    public string Position => stream.Position.ToJson();

    /// <inheritdoc />
    public void Restore(string position) => stream = open(DataStreamPosition.FromJson(position));
}
