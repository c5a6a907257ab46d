namespace MMInterleaved.Benchmarks;

/// <summary>One timed variant: medians (and all samples) in milliseconds.</summary>
public sealed record MmfsBenchRow(string Shape, string Variant, double ForwardMs, double ForwardBackwardMs,
    IReadOnlyList<double> ForwardSamplesMs, IReadOnlyList<double> ForwardBackwardSamplesMs);
