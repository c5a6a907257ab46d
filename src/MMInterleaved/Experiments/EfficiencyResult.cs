using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MMInterleaved.Experiments;

/// <summary>The efficiency measurement (Figure 6 right) with its ratios beside the paper's, saved as <c>results/efficiency.json</c>.</summary>
public sealed record EfficiencyResult(string Command, DateTime FinishedUtc, int Threads, int BatchSize, int Repeats, IReadOnlyList<EfficiencyArm> Arms)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

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

    /// <summary>The tables in Markdown.</summary>
    public string Markdown()
    {
        var t = new StringBuilder();
        t.AppendLine("## Efficiency (paper Figure 6, right)").AppendLine();
        t.AppendLine("**Claim (paper).** MMFS costs little: +2 % FLOPs, +2 % parameters, +6 % runtime and +3 % memory over the same model " +
                     "without it; and MMFS with 32 tokens needs 2.8× fewer FLOPs and runs 1.3× faster than no MMFS with 256 tokens.").AppendLine();
        t.AppendLine(Invariant($"**Setup.** The ablations' training batch ({BatchSize} packed rows of four-question documents), {Threads} threads, {Repeats} timed training steps per arm (forward, backward, AdamW) interleaved across arms after two warm-up steps; medians. FLOPs are analytic forward multiply-adds without the frozen vision encoder (identical in every arm). Memory is the step's peak resident memory above what was resident before it, measured in a separate pass after giving glibc's free heap back to the system (malloc_trim){(MemoryTracked ? "" : " (not available here: memory figures are not meaningful)")}. Command: `{Command}`; finished {FinishedUtc:yyyy-MM-dd HH:mm} UTC.")).AppendLine();
        t.AppendLine("| arm | tokens/image | row length | trainable parameters | forward multiply-adds | step (ms, median) | step peak extra memory (MB) |");
        t.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var a in Arms)
            t.AppendLine(Invariant($"| {a.Label} | {a.VisualTokens} | {a.SequenceLength} | {a.TrainableParameters:N0} | {a.ForwardMacs / 1e9:F2} G | {a.StepMs:F0} | {a.StepPeakExtraMb:F0} |"));
        var o = MmfsOverhead;
        var m = ManyTokensOverMmfs;
        t.AppendLine().AppendLine("| ratio | ours | paper |").AppendLine("|---|---|---|");
        t.AppendLine(Invariant($"| MMFS over no MMFS (same tokens): FLOPs | {o.Flops:+0%;-0%} | +2% |"));
        t.AppendLine(Invariant($"| … trainable parameters | {o.Parameters:+0%;-0%} | +2% |"));
        t.AppendLine(Invariant($"| … step time | {o.Runtime:+0%;-0%} | +6% |"));
        t.AppendLine(Invariant($"| … step memory | {o.Memory:+0%;-0%} | +3% |"));
        t.AppendLine(Invariant($"| no MMFS with 8× tokens over MMFS: FLOPs | {m.Flops:F2}× | 2.8× |"));
        t.AppendLine(Invariant($"| … step time | {m.Runtime:F2}× | 1.3× |"));
        t.AppendLine().AppendLine("MMFS's share is larger here than in the paper because the small decoder is tiny next to a 13B language model " +
                                  "while MMFS's value projection scales with the feature maps, not with the decoder.").AppendLine();
        return t.ToString();
    }

    /// <summary>Writes the JSON and the Markdown atomically into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in new[] { ("efficiency.json", JsonSerializer.Serialize(this, Json)), ("efficiency.md", Markdown()) })
            Runtime.AtomicFile.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>Reads <c>efficiency.json</c>; a clear error names the file when it is missing or not one.</summary>
    public static EfficiencyResult Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no efficiency result at {path}; run `mmi reproduce efficiency`.", path);
        try
        {
            return JsonSerializer.Deserialize<EfficiencyResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an efficiency result ({e.Message}).", e);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
