namespace MMInterleaved.Experiments;

/// <summary>One finished run of a generation experiment: arm, seed, its Test scores and its training time.</summary>
public sealed record GenerationRunRecord(string Arm, long Seed, IReadOnlyDictionary<string, double> Metrics, double TrainSeconds, string Folder);
