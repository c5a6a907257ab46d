using System.Globalization;
using System.Text;

namespace MMInterleaved.Experiments;

/// <summary>Readable forms of an <see cref="EfficiencyResult"/>: the tables in Markdown with the paper's ratios beside
/// ours, and the files <c>efficiency.json</c> / <c>.md</c>.</summary>
public static class EfficiencyReport
{
    /// <summary>The tables in Markdown.</summary>
    public static string Markdown(EfficiencyResult r)
    {
        var t = new StringBuilder();
        t.AppendLine("## Efficiency (paper Figure 6, right)").AppendLine();
        t.AppendLine("**Claim (paper).** MMFS costs little: +2 % FLOPs, +2 % parameters, +6 % runtime and +3 % memory over the same model " +
                     "without it; and MMFS with 32 tokens needs 2.8× fewer FLOPs and runs 1.3× faster than no MMFS with 256 tokens.").AppendLine();
        t.AppendLine(Invariant($"**Setup.** The ablations' training batch ({r.BatchSize} packed rows of four-question documents), {r.Threads} threads, {r.Repeats} timed training steps per arm (forward, backward, AdamW) interleaved across arms after two warm-up steps; medians. FLOPs are analytic forward multiply-adds without the frozen vision encoder (identical in every arm). Memory is the step's peak resident memory above what was resident before it, measured in a separate pass after giving glibc's free heap back to the system (malloc_trim){(r.MemoryTracked ? "" : " (not available here: memory figures are not meaningful)")}. Command: `{r.Command}`; finished {r.FinishedUtc:yyyy-MM-dd HH:mm} UTC.")).AppendLine();
        t.AppendLine("| arm | tokens/image | row length | trainable parameters | forward multiply-adds | step (ms, median) | step peak extra memory (MB) |");
        t.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var a in r.Arms)
            t.AppendLine(Invariant($"| {a.Label} | {a.NumImageTokens} | {a.SequenceLength} | {a.TrainableParameters:N0} | {a.ForwardMacs / 1e9:F2} G | {a.StepMs:F0} | {a.StepPeakExtraMb:F0} |"));
        var o = r.MmfsOverhead;
        var m = r.ManyTokensOverMmfs;
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

    /// <summary>Writes <c>efficiency.json</c> and <c>efficiency.md</c> atomically into <paramref name="folder"/>.</summary>
    public static void Write(EfficiencyResult r, string folder)
    {
        Directory.CreateDirectory(folder);
        ResultFile.Save(r, Path.Combine(folder, "efficiency.json"));
        WritePages(r, folder);
    }

    /// <summary>Writes <c>efficiency.md</c> only (the JSON is left as it is).</summary>
    public static void WritePages(EfficiencyResult r, string folder) =>
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "efficiency.md"), Markdown(r));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
