namespace MMInterleaved.Training;

/// <summary>Thrown when a loss is NaN or infinite: the step, the value and the last good checkpoint (left intact).</summary>
public sealed class TrainingDivergedException(int step, double loss, string? lastCheckpoint)
    : Exception($"training stopped at step {step}: the loss is {loss} (not finite). " +
                (lastCheckpoint is null ? "No checkpoint was written yet." : $"The last good checkpoint is {lastCheckpoint}; resume from it with a lower learning rate."))
{
    /// <summary>The step (1-based) whose loss was not finite.</summary>
    public int Step { get; } = step;
    /// <summary>The offending loss.</summary>
    public double Loss { get; } = loss;
    /// <summary>Folder of the last good checkpoint, if any.</summary>
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
