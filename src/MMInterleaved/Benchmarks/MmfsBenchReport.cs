namespace MMInterleaved.Benchmarks;

/// <summary>Results of <see cref="MmfsBenchmark.Run"/> for one shape, with the matmul floor of the built synchronizer.</summary>
/// <param name="Shape">Shape name.</param>
/// <param name="Threads">Intra-op threads used.</param>
/// <param name="MatmulGflops">Measured float32 matmul rate in this process (GFLOP/s).</param>
/// <param name="SynchronizerForwardMacs">Multiply-adds of the built synchronizer's forward pass (analytic count).</param>
/// <param name="Rows">Timed variants.</param>
/// <param name="MaxRelativeDifference">max |(a) − (b)| / max |(b)| of the synchronizer outputs (a correctness gate).</param>
public sealed record MmfsBenchReport(string Shape, int Threads, double MatmulGflops, double SynchronizerForwardMacs,
    IReadOnlyList<MmfsBenchRow> Rows, double MaxRelativeDifference)
{
    /// <summary>Forward floor in ms: 2·MACs ÷ rate.</summary>
    public double ForwardFloorMs => 2 * SynchronizerForwardMacs / (MatmulGflops * 1e9) * 1e3;
    /// <summary>Forward+backward floor in ms: three times the forward work (gradients for inputs and weights).</summary>
    public double ForwardBackwardFloorMs => 3 * ForwardFloorMs;

    /// <summary>The row of a variant.</summary>
    public MmfsBenchRow Row(string variant) => Rows.First(r => r.Variant == variant);
}
