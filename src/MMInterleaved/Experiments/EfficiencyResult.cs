namespace MMInterleaved.Experiments;

/// <summary>The efficiency measurement (Figure 6 right) with its ratios beside the paper's, saved as <c>results/efficiency.json</c>.</summary>
public sealed record EfficiencyResult(string Command, DateTime FinishedUtc, int Threads, int BatchSize, int Repeats, IReadOnlyList<EfficiencyArm> Arms)
{
    /// <summary>Whether freed memory went back to the system during the measurement (else step memory reads 0).</summary>
    public bool MemoryTracked { get; init; }

    private EfficiencyArm Arm(string name) => Arms.First(a => a.Name == name);

    /// <summary>MMFS's overhead over the same model without it (fractions: 0.02 = +2 %): FLOPs, trainable parameters,
    /// step time, step memory. Paper: +2 %, +2 %, +6 %, +3 %.</summary>
    public (double Flops, double Parameters, double Runtime, double Memory) MmfsOverhead
    {
        get
        {
            var (a, b) = (Arm("mmfs-8"), Arm("no-mmfs-8"));
            return (a.ForwardMacs / b.ForwardMacs - 1, (double)a.TrainableParameters / b.TrainableParameters - 1, a.StepMs / b.StepMs - 1,
                a.StepPeakExtraMb / b.StepPeakExtraMb - 1);
        }
    }

    /// <summary>No MMFS with 8× the tokens against MMFS with few (paper: 2.8× the FLOPs, 1.3× the time).</summary>
    public (double Flops, double Runtime) ManyTokensOverMmfs
    {
        get
        {
            var (a, c) = (Arm("mmfs-8"), Arm("no-mmfs-64"));
            return (c.ForwardMacs / a.ForwardMacs, c.StepMs / a.StepMs);
        }
    }

    /// <summary>Reads <c>efficiency.json</c>; a clear error names the file when it is missing or not one.</summary>
    public static EfficiencyResult Load(string path) => ResultFile.Load<EfficiencyResult>(path, "an efficiency result", "run `mmi reproduce efficiency`");
}
