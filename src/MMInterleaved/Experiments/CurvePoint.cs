namespace MMInterleaved.Experiments;

/// <summary>One learning-curve point: held-out accuracy (%) after <paramref name="Step"/> steps and
/// <paramref name="TrainSeconds"/> of training (evaluation time excluded).</summary>
public sealed record CurvePoint(int Step, double TrainSeconds, double Accuracy);
