namespace MMInterleaved.Benchmarks;

/// <summary>
/// What `mmi bench image-decoder` measured in one process: the rows (plain UNet first, the baseline of the ratios), the
/// setting, and, when asked, the resident memory every 100 steps of a long training loop with MMFSNet
/// (<see cref="MemoryMb"/>: step → MB) with its growth from the first to the last reading.
/// </summary>
public sealed record ImageDecoderBenchReport(string Preset, int Batch, int SamplingSteps, double GuidanceScale, int Threads,
    IReadOnlyList<ImageDecoderBenchRow> Rows, IReadOnlyList<(int Step, double Mb)> MemoryMb)
{
    /// <summary>The row of a variant.</summary>
    public ImageDecoderBenchRow Row(string variant) => Rows.Single(r => r.Variant == variant);

    /// <summary>Resident memory growth over the memory loop (last reading − first), MB; NaN without one.</summary>
    public double MemoryGrowthMb => MemoryMb.Count < 2 ? double.NaN : MemoryMb[^1].Mb - MemoryMb[0].Mb;
}
