namespace MMInterleaved.Experiments;

/// <summary>What one trained run (variant × seed) measured. Metrics are percentages (see <see cref="AblationMetrics"/>).</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Steps">Optimizer steps trained.</param>
/// <param name="TrainSeconds">Training wall time, evaluation excluded.</param>
/// <param name="TokensPerSecond">Mean training throughput.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Metrics">Final held-out metrics.</param>
/// <param name="Curve">The learning curve (overall VQA accuracy on the curve's smaller test set).</param>
/// <param name="ReusedFrom">"experiment/variant" of the identical run this record was taken from (same model config,
/// settings and seed; see <see cref="ExperimentRunner.Run"/>), or null when it was trained for this experiment.</param>
public sealed record RunRecord(string Variant, long Seed, int Steps, double TrainSeconds, double TokensPerSecond, long Parameters,
    IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<CurvePoint> Curve, string? ReusedFrom = null)
{
    /// <summary>The arm's own peak learning rate the run trained at (a tuned or fixed <see cref="AblationVariant.LearningRate"/>),
    /// or null: the settings' rate.</summary>
    public double? LearningRate { get; init; }
}
