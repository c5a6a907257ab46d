using System.Globalization;
using System.Text;
using MMInterleaved.Visualization;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace MMInterleaved.Experiments;

/// <summary>Readable forms of a <see cref="FewShotResult"/>: the Markdown table with its verdicts, the Plotly chart of
/// accuracy against shots, and the files <c>few-shot*.json</c> / <c>.md</c>.</summary>
public static class FewShotReport
{
    /// <summary>The table in Markdown.</summary>
    public static string Markdown(FewShotResult r)
    {
        var shots = r.Points.Select(p => p.Shots).Distinct().Order().ToList();
        var t = new StringBuilder(r.TrainingShots > 0
            ? $"## Few-shot (paper Figure 6, left), models trained with {r.TrainingShots}-shot documents mixed in\n\n"
            : "## Few-shot (paper Figure 6, left)\n\n");
        t.AppendLine("**Claim (paper).** MMFS helps in-context learning: with more shots the model with MMFS keeps its lead over the one without.").AppendLine();
        t.AppendLine(string.Create(CultureInfo.InvariantCulture, $"**Setup.** The `{r.SourceExperiment}` experiment's trained runs (every seed), {r.Questions} questions per seed from the {r.Split} split, k random shots from the training split before the query image (\"Question: … Short answer: …\"), official VQA accuracy (%), mean ± standard deviation over seeds. {(r.TrainingShots > 0 ? $"One training document in three was a {r.TrainingShots}-shot document (glyph-fewshot)." : "The models never saw few-shot prompts in training.")} Command: `{r.Command}`; finished {r.FinishedUtc:yyyy-MM-dd HH:mm} UTC.")).AppendLine();
        t.Append("| variant | ").Append(string.Join(" | ", shots.Select(k => $"{k}-shot"))).AppendLine(" |");
        t.Append("|---|").Append(string.Concat(shots.Select(_ => "---|"))).AppendLine();
        foreach (var variant in r.Points.Select(p => p.Variant).Distinct())
            t.Append($"| {r.Labels.GetValueOrDefault(variant, variant)} | ").Append(string.Join(" | ", shots.Select(k => r.At(variant, k).ToString()))).AppendLine(" |");
        t.AppendLine();
        t.AppendLine($"**Verdict.** {r.Verdict()}.").AppendLine();
        var verdicts = r.Verdicts();
        if (verdicts.Count > 0)
        {
            t.AppendLine(VerdictTable.Header(withMetric: false));
            foreach (var v in verdicts)
                t.AppendLine(VerdictTable.Row(v, metric: null));
            t.AppendLine().AppendLine(VerdictTable.Legend).AppendLine();
        }
        return t.ToString();
    }

    /// <summary>Accuracy against shots, one line per variant (mean over seeds).</summary>
    public static GenericChart Chart(FewShotResult r)
    {
        var shots = r.Points.Select(p => p.Shots).Distinct().Order().ToArray();
        return PlotlyChart.Combine(r.Points.Select(p => p.Variant).Distinct().Select(v =>
                PlotlyChart.Line<int, double, string>(shots, shots.Select(k => r.At(v, k).Mean).ToArray(), Name: r.Labels.GetValueOrDefault(v, v), ShowMarkers: true)))
            .WithTitles(r.TrainingShots > 0 ? $"Few-shot ({r.TrainingShots}-shot documents in training): accuracy against the number of shots"
                : "Few-shot: accuracy against the number of shots", "shots", "accuracy (%)");
    }

    /// <summary>Writes the JSON and the Markdown atomically into <paramref name="folder"/>.</summary>
    public static void Write(FewShotResult r, string folder)
    {
        Directory.CreateDirectory(folder);
        ResultFile.Save(r, Path.Combine(folder, r.FileStem + ".json"));
        WritePages(r, folder);
    }

    /// <summary>Writes the Markdown only (the JSON is left as it is).</summary>
    public static void WritePages(FewShotResult r, string folder) =>
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, r.FileStem + ".md"), Markdown(r));
}
