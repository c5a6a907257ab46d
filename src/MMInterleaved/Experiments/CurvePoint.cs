namespace MMInterleaved.Experiments;

/// <summary>One learning-curve point: held-out accuracy (%) after <paramref name="Step"/> steps and
/// <paramref name="TrainSeconds"/> of training (evaluation time excluded).</summary>
public sealed record CurvePoint(int Step, double TrainSeconds, double Accuracy)
{
    /// <summary>For a deformable-MMFS arm, where its MMFS layers looked at this step (<see cref="AblationMetrics.AttentionAsked"/>
    /// and its control per layer, on Validation cell questions); null for other arms and for results saved before.</summary>
    public IReadOnlyDictionary<string, double>? Attention { get; init; }
}
