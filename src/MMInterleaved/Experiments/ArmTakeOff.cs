namespace MMInterleaved.Experiments;

/// <summary>One arm's take-off (<see cref="TakeOff"/>): how many of its judged seeds took off, and
/// <see cref="TakeOff.Metric"/> over the runs that did and over those that did not.</summary>
public sealed record ArmTakeOff(string Variant, string Label, int TookOff, int Seeds, MetricSummary WhenTookOff, MetricSummary Otherwise);
