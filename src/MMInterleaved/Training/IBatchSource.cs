namespace MMInterleaved.Training;

/// <summary>Batches for training, with a position that can be saved in a checkpoint and restored, so a resumed run sees
/// exactly the batches an uninterrupted one would have seen.</summary>
public interface IBatchSource<out TBatch>
{
    /// <summary>The next batch.</summary>
    TBatch Next();

    /// <summary>The current position (a small JSON string).</summary>
    string Position { get; }

    /// <summary>Continues from a position taken earlier from <see cref="Position"/>.</summary>
    void Restore(string position);
}
