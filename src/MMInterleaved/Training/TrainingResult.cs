namespace MMInterleaved.Training;

/// <summary>How a run ended: the last step, the last logged loss, every logged step, and the final checkpoint folder.</summary>
public sealed record TrainingResult(int Step, double LastLoss, IReadOnlyList<TrainingProgress> History, string? Checkpoint, int SkippedSteps);
