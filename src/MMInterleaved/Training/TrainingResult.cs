namespace MMInterleaved.Training;

/// <summary>How a run ended: the last step, the last logged loss, every logged step, the final checkpoint folder, the steps
/// skipped by the gradient-spike guard, the micro-batches skipped for holding no target, and whether it stopped early
/// because it was cancelled (a checkpoint of that step was written; `--resume` continues it).</summary>
public sealed record TrainingResult(int Step, double LastLoss, IReadOnlyList<TrainingProgress> History, string? Checkpoint, int SkippedSteps,
    int EmptyBatches = 0, bool Interrupted = false);
