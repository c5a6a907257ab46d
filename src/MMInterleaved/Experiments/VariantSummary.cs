using System.Text.Json.Serialization;

namespace MMInterleaved.Experiments;

/// <summary>One variant over its seeds.</summary>
/// <param name="Variant">Name.</param>
/// <param name="Label">What readers see.</param>
/// <param name="Metrics">Final metrics at equal steps.</param>
/// <param name="AtEqualTime">Learning-curve accuracy at the experiment's equal training time.</param>
/// <param name="TrainSeconds">Training time.</param>
/// <param name="TokensPerSecond">Training throughput.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="NumImageTokens">Visual tokens per image K (key "VisualTokens" in result files, as committed).</param>
public sealed record VariantSummary(string Variant, string Label, IReadOnlyDictionary<string, MetricSummary> Metrics, MetricSummary AtEqualTime,
    MetricSummary TrainSeconds, MetricSummary TokensPerSecond, long Parameters, [property: JsonPropertyName("VisualTokens")] int NumImageTokens)
{
    /// <summary>The peak learning rate its runs trained at when it is the arm's own (tuned, see <see cref="LearningRateTuning"/>),
    /// or null: the settings' rate.</summary>
    public double? LearningRate { get; init; }
}
