using System.Globalization;
using System.Text;
using System.Text.Json;
using MMInterleaved.Visualization;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace MMInterleaved.Experiments;

/// <summary>The few-shot curves (Figure 6 left) of one trained experiment's runs, saved as <c>results/few-shot.json</c>
/// (the token-efficiency runs) or <c>results/few-shot-&lt;source&gt;.json</c> (see <see cref="FileStem"/>).</summary>
public sealed record FewShotResult(string Command, DateTime FinishedUtc, string SourceExperiment, int Questions,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyList<FewShotPoint> Points)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The file name without extension: <c>few-shot</c> for the token-efficiency runs, else <c>few-shot-&lt;source&gt;</c>.</summary>
    public string FileStem => FileStemOf(SourceExperiment);

    /// <summary>The file name without extension of the curves of <paramref name="source"/>'s runs.</summary>
    public static string FileStemOf(string source) => source == AblationCatalog.TokenEfficiency.Id ? FewShotExperiment.Id : $"{FewShotExperiment.Id}-{source}";

    private int TrainingShots => AblationCatalog.All.FirstOrDefault(e => e.Id == SourceExperiment)?.FewShotTrainingShots ?? 0;

    /// <summary>Mean ± standard deviation over seeds of overall accuracy, per variant and shot count.</summary>
    public MetricSummary At(string variant, int shots) => MetricSummary.Of(Points.Where(p => p.Variant == variant && p.Shots == shots).Select(p => p.Overall));

    /// <summary>
    /// The paper's two few-shot findings tested on these curves (all questions), each as a <see cref="ComparisonVerdict"/>
    /// (difference of seed means beyond two standard errors): the MMFS variant ahead of the variant without it at every
    /// shot count, then the MMFS variant's accuracy at the most shots above its 0-shot accuracy. Empty without both variants.
    /// </summary>
    public IReadOnlyList<ComparisonVerdict> Verdicts()
    {
        var variants = Points.Select(p => p.Variant).Distinct().ToList();
        string? mmfs = variants.FirstOrDefault(v => v.StartsWith("mmfs", StringComparison.Ordinal));
        string? plain = variants.FirstOrDefault(v => v.StartsWith("no-mmfs", StringComparison.Ordinal));
        if (mmfs is null || plain is null) return [];
        ComparisonVerdict Compare(string better, int betterShots, string worse, int worseShots) => ComparisonVerdict.Of(
            $"{better}, {betterShots} shots", $"{worse}, {worseShots} shots", AblationMetrics.Overall, At(better, betterShots), At(worse, worseShots));
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
            text += string.Create(CultureInfo.InvariantCulture, $"; accuracy rising with shots ({rise.Better} vs {rise.Worse}: {rise.Difference:+0.0;-0.0;0.0} ± {rise.StandardError:F1} points): {rise.Verdict}");
        }
        return text;
    }

    /// <summary>The table in Markdown.</summary>
    public string Markdown()
    {
        var shots = Points.Select(p => p.Shots).Distinct().Order().ToList();
        var t = new StringBuilder(TrainingShots > 0
            ? $"## Few-shot (paper Figure 6, left), models trained with {TrainingShots}-shot documents mixed in\n\n"
            : "## Few-shot (paper Figure 6, left)\n\n");
        t.AppendLine("**Claim (paper).** MMFS helps in-context learning: with more shots the model with MMFS keeps its lead over the one without.").AppendLine();
        t.AppendLine(string.Create(CultureInfo.InvariantCulture, $"**Setup.** The `{SourceExperiment}` experiment's trained runs (every seed), {Questions} held-out questions per seed, k random shots from the training split before the query image (\"Question: … Short answer: …\"), official VQA accuracy (%), mean ± standard deviation over seeds. {(TrainingShots > 0 ? $"One training document in three was a {TrainingShots}-shot document (glyph-fewshot)." : "The models never saw few-shot prompts in training.")} Command: `{Command}`; finished {FinishedUtc:yyyy-MM-dd HH:mm} UTC.")).AppendLine();
        t.Append("| variant | ").Append(string.Join(" | ", shots.Select(k => $"{k}-shot"))).AppendLine(" |");
        t.Append("|---|").Append(string.Concat(shots.Select(_ => "---|"))).AppendLine();
        foreach (var variant in Points.Select(p => p.Variant).Distinct())
            t.Append($"| {Labels.GetValueOrDefault(variant, variant)} | ").Append(string.Join(" | ", shots.Select(k => At(variant, k).ToString()))).AppendLine(" |");
        t.AppendLine();
        t.AppendLine($"**Verdict.** {Verdict()}.").AppendLine();
        var verdicts = Verdicts();
        if (verdicts.Count > 0)
        {
            t.AppendLine("| paper finding | difference (points, all questions) | standard error | verdict |").AppendLine("|---|---|---|---|");
            foreach (var v in verdicts)
                t.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {v.Better} > {v.Worse} | {v.Difference:+0.0;-0.0;0.0} | {v.StandardError:F1} | {v.Verdict} |"));
            t.AppendLine();
        }
        return t.ToString();
    }

    /// <summary>Accuracy against shots, one line per variant (mean over seeds).</summary>
    public GenericChart Chart()
    {
        var shots = Points.Select(p => p.Shots).Distinct().Order().ToArray();
        return PlotlyChart.Combine(Points.Select(p => p.Variant).Distinct().Select(v =>
                PlotlyChart.Line<int, double, string>(shots, shots.Select(k => At(v, k).Mean).ToArray(), Name: Labels.GetValueOrDefault(v, v), ShowMarkers: true)))
            .WithTitles(TrainingShots > 0 ? $"Few-shot ({TrainingShots}-shot documents in training): accuracy against the number of shots"
                : "Few-shot: accuracy against the number of shots", "shots", "accuracy (%)");
    }

    /// <summary>Writes the JSON and the Markdown atomically into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in new[] { (FileStem + ".json", JsonSerializer.Serialize(this, Json)), (FileStem + ".md", Markdown()) })
            Runtime.AtomicFile.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>Reads <c>few-shot.json</c>; a clear error names the file when it is missing or not one.</summary>
    public static FewShotResult Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no few-shot result at {path}; run `mmi reproduce few-shot`.", path);
        try
        {
            return JsonSerializer.Deserialize<FewShotResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a few-shot result ({e.Message}).", e);
        }
    }
}
