namespace MMInterleaved.Training;

/// <summary>A training step's numbers, as reported to progress displays and written to the metrics log.</summary>
public sealed record TrainingProgress(int Step, int Steps, double Loss, double LearningRate, double GradNorm, double TokensPerSecond,
    double DataFraction, TimeSpan Elapsed, TimeSpan Remaining, bool Skipped, IReadOnlyDictionary<string, double> Extra);
