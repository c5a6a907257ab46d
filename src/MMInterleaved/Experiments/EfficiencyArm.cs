using System.Text.Json.Serialization;

namespace MMInterleaved.Experiments;

/// <summary>One arm of the efficiency measurement.</summary>
/// <param name="Name">Key.</param>
/// <param name="Label">What readers see.</param>
/// <param name="NumImageTokens">Visual tokens per image K (key "VisualTokens" in result files, as committed).</param>
/// <param name="SequenceLength">Tokens per packed row of the measured batch.</param>
/// <param name="Parameters">All parameters (frozen encoder included).</param>
/// <param name="TrainableParameters">Trainable parameters.</param>
/// <param name="ForwardMacs">Analytic forward multiply-adds of the batch (vision encoder excluded).</param>
/// <param name="MacsByPart">The same per layer type.</param>
/// <param name="StepMs">Median training-step time.</param>
/// <param name="StepTimesMs">Every timed step.</param>
/// <param name="StepPeakExtraMb">Median peak resident memory of a step above what was resident before it.</param>
public sealed record EfficiencyArm(string Name, string Label, [property: JsonPropertyName("VisualTokens")] int NumImageTokens, int SequenceLength, long Parameters, long TrainableParameters,
    double ForwardMacs, IReadOnlyDictionary<string, double> MacsByPart, double StepMs, IReadOnlyList<double> StepTimesMs, double StepPeakExtraMb);
