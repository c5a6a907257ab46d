using MMInterleaved.Data;

namespace MMInterleaved.Experiments;

/// <summary>The few-shot curves (Figure 6 left) of one trained experiment's runs, saved as <c>results/few-shot.json</c>
/// (the token-efficiency runs) or <c>results/few-shot-&lt;source&gt;.json</c> (see <see cref="FileStem"/>).</summary>
public sealed record FewShotResult(string Command, DateTime FinishedUtc, string SourceExperiment, int Questions,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyList<FewShotPoint> Points)
{
    /// <summary>The split the queries came from: the source experiment's score split (curves saved before it was
    /// recorded read as Validation, which they used).</summary>
    public DataSplit Split { get; init; } = DataSplit.Validation;

    /// <summary>The file name without extension: <c>few-shot</c> for the token-efficiency runs, else <c>few-shot-&lt;source&gt;</c>.</summary>
    public string FileStem => FileStemOf(SourceExperiment);

    /// <summary>The file name without extension of the curves of <paramref name="source"/>'s runs.</summary>
    public static string FileStemOf(string source) => source == AblationCatalog.TokenEfficiency.Id ? FewShotExperiment.Id : $"{FewShotExperiment.Id}-{source}";

    /// <summary>Shots of the few-shot documents the source experiment mixed into training (0: none).</summary>
    public int TrainingShots => AblationCatalog.All.FirstOrDefault(e => e.Id == SourceExperiment)?.FewShotTrainingShots ?? 0;

    /// <summary>Mean ± standard deviation over seeds of overall accuracy, per variant and shot count.</summary>
    public MetricSummary At(string variant, int shots) => MetricSummary.Of(Points.Where(p => p.Variant == variant && p.Shots == shots).Select(p => p.Overall));

    /// <summary>
    /// The paper's two few-shot findings tested on these curves (all questions), each as a <see cref="ComparisonVerdict"/>
    /// (paired by seed, one-sided paired t-test): the MMFS variant ahead of the variant without it at every shot count,
    /// then the MMFS variant's accuracy at the most shots above its 0-shot accuracy. Each is a family of one metric (all
    /// questions), so Holm changes nothing; "ahead at every shot count" asks every one of them to hold, which needs no
    /// correction. Empty without both variants.
    /// </summary>
    public IReadOnlyList<ComparisonVerdict> Verdicts()
    {
        var variants = Points.Select(p => p.Variant).Distinct().ToList();
        string? mmfs = variants.FirstOrDefault(v => v.StartsWith("mmfs", StringComparison.Ordinal));
        string? plain = variants.FirstOrDefault(v => v.StartsWith("no-mmfs", StringComparison.Ordinal));
        if (mmfs is null || plain is null) return [];
        IReadOnlyDictionary<long, double> PerSeed(string variant, int shots) =>
            Points.Where(p => p.Variant == variant && p.Shots == shots).ToDictionary(p => p.Seed, p => p.Overall);
        ComparisonVerdict Compare(string better, int betterShots, string worse, int worseShots) => ComparisonVerdict.Paired(
            $"{better}, {betterShots} shots", $"{worse}, {worseShots} shots", AblationMetrics.Overall, PerSeed(better, betterShots), PerSeed(worse, worseShots));
        var shots = Points.Select(p => p.Shots).Distinct().Order().ToList();
        var verdicts = shots.Select(k => Compare(mmfs, k, plain, k)).ToList();
        if (shots.Count > 1) verdicts.Add(Compare(mmfs, shots[^1], mmfs, shots[0]));
        return verdicts;
    }

    /// <summary>One line: whether MMFS leads at every shot count, and whether its accuracy rises with shots.</summary>
    public string Verdict()
    {
        var verdicts = Verdicts();
        if (verdicts.Count == 0) return "inconclusive: the curves need an MMFS variant and one without MMFS";
        var shots = Points.Select(p => p.Shots).Distinct().Count();
        var lead = verdicts.Take(shots).ToList();
        string leads = lead.All(v => v.Verdict == "reproduced") ? "reproduced" : lead.Any(v => v.Verdict == "not reproduced") ? "not reproduced" : "inconclusive";
        string text = $"MMFS ahead at every shot count: {leads}";
        if (verdicts.Count > shots)
        {
            var rise = verdicts[^1];
            text += $"; accuracy rising with shots ({rise.Better} vs {rise.Worse}: {rise.Evidence()}): {rise.Verdict}";
        }
        return text;
    }

    /// <summary>Reads <c>few-shot.json</c>; a clear error names the file when it is missing or not one.</summary>
    public static FewShotResult Load(string path) => ResultFile.Load<FewShotResult>(path, "a few-shot result", "run `mmi reproduce few-shot`");
}
