using System.Globalization;
using System.Net;
using System.Text;
using MMInterleaved.Data;
using MMInterleaved.Visualization;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace MMInterleaved.Experiments;

/// <summary>
/// Readable forms of experiment results: a Markdown table with our mean ± spread beside the paper's numbers and the
/// verdict, Plotly charts (final accuracy per variant with seed spread; learning curves against training time), an HTML
/// page per experiment with plotly.js inlined (opens offline), and a summary over experiments.
/// </summary>
public static class ExperimentReport
{
    private static readonly string[] Columns = [AblationMetrics.Caption, AblationMetrics.CaptionBleu4, AblationMetrics.Attributes, AblationMetrics.Reading, AblationMetrics.Coarse, AblationMetrics.MultiImage, AblationMetrics.Overall];

    /// <summary>The results table in Markdown.</summary>
    public static string Markdown(ExperimentResult result)
    {
        var columns = Columns.Where(c => result.Summary.Any(s => s.Metrics.ContainsKey(c))).ToList();
        var text = new StringBuilder();
        text.AppendLine($"## {result.Title}").AppendLine();
        text.AppendLine($"**Claim (paper).** {result.Claim}").AppendLine();
        var s = result.Settings;
        bool captions = columns.Contains(AblationMetrics.Caption);
        string data = captions
            ? Invariant($"row-by-row detail captions of the whole grid, seeds {string.Join(", ", s.Seeds)}, {s.TestCaptions} images per seed scored on the {result.Split} split")
            : Invariant($"{s.QuestionsPerImage} questions per training image, seeds {string.Join(", ", s.Seeds)}, {s.TestQuestions} questions per seed scored on the {result.Split} split");
        if (result.Split != DataSplit.Test)
            data += " (not Test: the split development looked at; these numbers predate the Test-split protocol)";
        text.AppendLine(Invariant($"**Setup.** preset `{s.Preset}`, {s.Steps} steps, batch {s.BatchSize}, {data}, {s.Parallelism} runs at once (one thread each). Command: `{result.Command}`. Finished {result.FinishedUtc:yyyy-MM-dd HH:mm} UTC on {result.Machine}.")).AppendLine();
        if (result.TuningRuns.Count > 0) text.Append(TuningMarkdown(result));
        var reused = result.Runs.Where(r => r.ReusedFrom is not null).GroupBy(r => (r.Variant, r.ReusedFrom)).ToList();
        if (reused.Count > 0)
            text.AppendLine("**Shared runs.** " + string.Join("; ", reused.Select(g => $"`{g.Key.Variant}` is `{g.Key.ReusedFrom}` (seeds {string.Join(", ", g.Select(r => r.Seed))})")) +
                ": the same model config, settings and seeds, trained once and reused, as the paper's tables share their baseline row.").AppendLine();
        text.Append("| variant | ").Append(string.Join(" | ", columns.Select(c => AblationMetrics.Labels[c])))
            .Append(Invariant($" | {(captions ? "CIDEr on the curve's images" : "all questions")} at equal time ({result.EqualTimeSeconds / 60:F1} min) | train min | paper: setting | Caption | OK-VQA | TextVQA |")).AppendLine();
        text.Append("|---|").Append(string.Concat(columns.Select(_ => "---|"))).AppendLine("---|---|---|---|---|---|");
        foreach (var v in result.Summary)
        {
            var paper = result.Paper.FirstOrDefault(p => p.Variant == v.Variant);
            text.Append($"| {v.Label} | ").Append(string.Join(" | ", columns.Select(c => v.Metrics.TryGetValue(c, out var m) ? m.ToString() : "–")))
                .Append($" | {v.AtEqualTime} | {Invariant($"{v.TrainSeconds.Mean / 60:F1}")} | ")
                .Append(paper is null ? "– | – | – | – |" : $"{paper.Setting} | {Number(paper.Caption)} | {Number(paper.OkVqa)} | {Number(paper.TextVqa)} |").AppendLine();
        }
        text.AppendLine().AppendLine((captions
                ? "Ours: CIDEr-D and BLEU-4 as pycocoevalcap computes them (×100), one reference caption per image, "
                : "Ours: official VQA accuracy (%), ") + "mean ± sample standard deviation over seeds, at equal steps unless noted. " +
            "Paper: MM-Interleaved Tables 6–8 and 17 (COCO CIDEr, OK-VQA and TextVQA accuracy), typed from the paper." +
            (captions ? "" : " The caption column of Table 6a is measured by its own runs (`token-efficiency-caption`).")).AppendLine();
        text.AppendLine($"**Verdict: {result.Verdict}.** {result.VerdictReason}").AppendLine();
        text.Append(TakeOffMarkdown(result));
        text.Append(AttentionMarkdown(result));
        if (result.Verdicts.Count > 0)
        {
            text.AppendLine(VerdictTable.Header(withMetric: true));
            foreach (var v in result.Verdicts)
                text.AppendLine(VerdictTable.Row(v, AblationMetrics.Labels[v.Metric]));
            text.AppendLine().AppendLine(VerdictTable.Legend).AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The learning-rate tuning (<see cref="LearningRateTuning"/>) as a table: each tuned arm's Validation score at
    /// every rate of the grid, the chosen one in bold.</summary>
    public static string TuningMarkdown(ExperimentResult result)
    {
        var grid = result.TuningRuns.Select(r => r.LearningRate ?? double.NaN).Distinct().OrderBy(r => r).ToList();
        var text = new StringBuilder();
        text.AppendLine(Invariant($"**Learning-rate tuning.** Every trained arm ran once per peak rate with seed {result.Settings.TuningSeed} (not a reported seed), ") +
            Invariant($"{result.Settings.Steps} steps; the rate whose run ended highest on the Validation curve (mean of its last {LearningRateTuning.LastPoints} points, ") +
            Invariant($"{result.Settings.CurveQuestions} questions each) trains every reported seed. The Test split was not looked at. The text-only arm keeps {result.Settings.LearningRate:G3}.")).AppendLine();
        text.Append("| arm | ").Append(string.Join(" | ", grid.Select(r => Invariant($"lr {r:G3}")))).AppendLine(" |");
        text.Append("|---|").AppendLine(string.Concat(grid.Select(_ => "---|")));
        foreach (var arm in result.TuningRuns.GroupBy(r => r.Variant))
        {
            double? chosen = result.Summary.FirstOrDefault(v => v.Variant == arm.Key)?.LearningRate;
            string label = result.Summary.FirstOrDefault(v => v.Variant == arm.Key)?.Label ?? arm.Key;
            text.Append($"| {label} | ").Append(string.Join(" | ", grid.Select(rate =>
            {
                var run = arm.FirstOrDefault(r => r.LearningRate == rate);
                if (run is null) return "–";
                string score = Invariant($"{LearningRateTuning.Score(run):F1}");
                return rate == chosen ? $"**{score}**" : score;
            }))).AppendLine(" |");
        }
        return text.AppendLine().ToString();
    }

    /// <summary>The take-off rate of each arm beside its reading accuracy given take-off (<see cref="TakeOff"/>); empty
    /// without a text-only arm or reading questions.</summary>
    public static string TakeOffMarkdown(ExperimentResult result)
    {
        var arms = TakeOff.Summarise(result);
        if (arms.Count == 0) return "";
        string metric = AblationMetrics.Labels[TakeOff.Metric];
        var text = new StringBuilder();
        text.AppendLine(Invariant($"**Take-off.** A run took off when its {metric} score is more than {TakeOff.Margin:F0} points above the text-only run of the same seed ") +
            "(the answer prior on the same questions); reading is bimodal over seeds at this scale, so the rate and the accuracy of the runs that took off are shown apart. Mean ± SD over those runs.").AppendLine();
        text.AppendLine($"| arm | took off | {metric} when it did | when it did not |").AppendLine("|---|---|---|---|");
        foreach (var a in arms)
            text.AppendLine($"| {a.Label} | {a.TookOff} of {a.Seeds} | {a.WhenTookOff} | {a.Otherwise} |");
        return text.AppendLine().ToString();
    }

    /// <summary>Where the deformable-MMFS arms look (issue 17, item 7): per arm and MMFS layer, the share of the layer's
    /// image attention inside the asked cell against the same cell's share when another is asked; empty when no arm measured it.</summary>
    public static string AttentionMarkdown(ExperimentResult result)
    {
        var rows = result.Summary.SelectMany(v => Enumerable.Range(0, 64)
            .Select(l => (Variant: v, Layer: l, Asked: v.Metrics.GetValueOrDefault(AblationMetrics.AttentionAsked(l)), Control: v.Metrics.GetValueOrDefault(AblationMetrics.AttentionControl(l))))
            .TakeWhile(r => r.Asked is not null && r.Control is not null && r.Asked.N > 0)).ToList();
        if (rows.Count == 0) return "";
        var text = new StringBuilder();
        text.AppendLine(Invariant($"**Where MMFS looks** (`CellAttention`, {AblationRun.FinalAttentionQuestions} {result.Split} questions about a named cell per seed, at the token that produces the answer): ") +
            "the share of each MMFS layer's image attention that falls inside the asked cell, against the share the same cell gets when another cell is asked " +
            "(the position-matched control); by area a cell would get 1/16. Mean ± SD over seeds; the learning curves in the JSON hold the same shares on Validation at every curve point.").AppendLine();
        text.AppendLine("| arm | MMFS layer | in the asked cell (%) | same cell, another asked (%) | lift |").AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
            text.AppendLine(Invariant($"| {r.Variant.Label} | {r.Layer} | {r.Asked} | {r.Control} | {r.Asked!.Mean / r.Control!.Mean:F2} |"));
        return text.AppendLine().ToString();
    }

    /// <summary>The asked cell's attention share of each deformable-MMFS arm's last MMFS layer over training steps (mean over
    /// seeds, Validation), its control dashed; null when no arm measured it.</summary>
    public static GenericChart? AttentionChart(ExperimentResult result)
    {
        var traces = new List<GenericChart>();
        foreach (var v in result.Summary)
        {
            var runs = result.Runs.Where(r => r.Variant == v.Variant && r.Curve.Count > 0 && r.Curve.All(p => p.Attention is not null)).ToList();
            if (runs.Count == 0) continue;
            int last = Enumerable.Range(0, 64).TakeWhile(l => runs[0].Curve[0].Attention!.ContainsKey(AblationMetrics.AttentionAsked(l))).Count() - 1;
            if (last < 0) continue;
            var steps = runs[0].Curve.Select(p => p.Step).ToArray();
            double[] Mean(string key) => [.. steps.Select(step => runs.Average(r => r.Curve.FirstOrDefault(p => p.Step == step)?.Attention?.GetValueOrDefault(key, double.NaN) ?? double.NaN))];
            traces.Add(PlotlyChart.Line<int, double, string>(steps, Mean(AblationMetrics.AttentionAsked(last)), Name: $"{v.Label}: asked cell (layer {last})", ShowMarkers: true));
            traces.Add(PlotlyChart.Line<int, double, string>(steps, Mean(AblationMetrics.AttentionControl(last)), Name: $"{v.Label}: same cell, another asked", ShowMarkers: true,
                LineDash: StyleParam.DrawingStyle.Dash));
        }
        return traces.Count == 0 ? null : PlotlyChart.Combine(traces).WithTitles($"{result.Title}: where the last MMFS layer looks (Validation)", "training step", "share of image attention (%)");
    }

    /// <summary>Final accuracy per variant, one chart per metric: the mean as a bar and every seed as a dot on it.</summary>
    public static IReadOnlyList<GenericChart> AccuracyCharts(ExperimentResult result)
    {
        var columns = Columns.Where(c => result.Summary.Any(s => s.Metrics.ContainsKey(c))).ToList();
        return columns.Select(metric =>
        {
            var labels = result.Summary.Select(v => v.Label).ToArray();
            var bars = PlotlyChart.Column<double, string, string>(result.Summary.Select(v => v.Metrics.TryGetValue(metric, out var m) ? m.Mean : 0).ToArray(),
                Keys: labels, Name: "mean over seeds");
            var runs = result.Runs.Where(r => r.Metrics.ContainsKey(metric)).ToList();
            var dots = PlotlyChart.Point<string, double, string>(runs.Select(r => result.Summary.First(v => v.Variant == r.Variant).Label).ToArray(),
                runs.Select(r => r.Metrics[metric]).ToArray(), Name: "one seed");
            return PlotlyChart.Combine([bars, dots]).WithTitles($"{result.Title}: {AblationMetrics.Labels[metric]}", null,
                metric.StartsWith("caption", StringComparison.Ordinal) ? "score (×100)" : "accuracy (%)");
        }).ToList();
    }

    /// <summary>Learning curves: mean curve accuracy per variant against training minutes.</summary>
    public static GenericChart CurveChart(ExperimentResult result)
    {
        var lines = result.Summary.Select(v =>
        {
            var runs = result.Runs.Where(r => r.Variant == v.Variant).ToList();
            var steps = runs[0].Curve.Select(p => p.Step).ToList();
            var minutes = steps.Select(step => runs.Average(r => r.Curve.FirstOrDefault(p => p.Step == step)?.TrainSeconds ?? double.NaN) / 60).ToArray();
            var accuracy = steps.Select(step => runs.Average(r => r.Curve.FirstOrDefault(p => p.Step == step)?.Accuracy ?? double.NaN)).ToArray();
            return PlotlyChart.Line<double, double, string>(minutes, accuracy, Name: v.Label, ShowMarkers: true);
        });
        bool captions = result.Summary.Any(s => s.Metrics.ContainsKey(AblationMetrics.Caption));
        return PlotlyChart.Combine(lines).WithTitles($"{result.Title}: learning curves (mean over seeds)", "training time (min)",
            captions ? $"CIDEr on {result.Settings.CurveCaptions} held-out images" : "accuracy (%)");
    }

    /// <summary>Accuracy over the visual-token budget, one line per series (MMFS on, off) for each metric, every seed as a
    /// dot; null when the experiment's variants are not a token sweep (see <see cref="AblationVariant.Series"/>).</summary>
    public static GenericChart? TokenChart(ExperimentResult result)
    {
        var variants = AblationCatalog.All.FirstOrDefault(e => e.Id == result.Id)?.Variants.Where(v => v.Series is not null && v.NumImageTokens is not null).ToList();
        if (variants is null || variants.Count == 0) return null;
        var traces = new List<GenericChart>();
        foreach (var metric in new[] { AblationMetrics.Reading, AblationMetrics.Attributes })
            foreach (var series in variants.GroupBy(v => v.Series!))
            {
                var points = series.Select(v => (Tokens: v.NumImageTokens!.Value, Summary: result.Summary.FirstOrDefault(s => s.Variant == v.Name)))
                    .Where(p => p.Summary is not null && p.Summary.Metrics.ContainsKey(metric)).OrderBy(p => p.Tokens).ToList();
                if (points.Count == 0) continue;
                string name = $"{series.Key}: {AblationMetrics.Labels[metric]}";
                traces.Add(PlotlyChart.Line<int, double, string>(points.Select(p => p.Tokens).ToArray(), points.Select(p => p.Summary!.Metrics[metric].Mean).ToArray(),
                    Name: name, ShowMarkers: true));
                var seeds = result.Runs.Where(r => series.Any(v => v.Name == r.Variant) && r.Metrics.ContainsKey(metric)).ToList();
                traces.Add(PlotlyChart.Point<int, double, string>(seeds.Select(r => series.First(v => v.Name == r.Variant).NumImageTokens!.Value).ToArray(),
                    seeds.Select(r => r.Metrics[metric]).ToArray(), Name: name + " (one seed)", ShowLegend: false));
            }
        if (traces.Count == 0) return null;
        return PlotlyChart.Combine(traces).WithTitles($"{result.Title}: accuracy over visual tokens per image", null, "accuracy (%)")
            .WithLogXAxis("visual tokens per image (log scale)");
    }

    /// <summary>An HTML page: the Markdown table rendered simply, and the charts, with plotly.js inlined.</summary>
    public static string Html(ExperimentResult result) =>
        Page(result.Title, MarkdownToHtml(Markdown(result)) + Charts(result));

    private static string Charts(ExperimentResult result) =>
        (TokenChart(result) is { } tokens ? Chart(tokens) : "") + string.Concat(AccuracyCharts(result).Select(Chart)) + Chart(CurveChart(result)) +
        (AttentionChart(result) is { } attention ? Chart(attention) : "");

    /// <summary>The summary over experiments, in Markdown: one line per experiment with its verdict (comprehension
    /// ablations, then generation experiments when there are any), then each experiment's report.</summary>
    public static string SummaryMarkdown(IReadOnlyList<ExperimentResult> results, EfficiencyResult? efficiency = null, IReadOnlyList<FewShotResult>? fewShot = null,
        IReadOnlyList<GenerationResult>? generation = null)
    {
        const string header = "| experiment | verdict | why | runs | seeds | steps |\n|---|---|---|---|---|---|\n";
        var text = new StringBuilder("# Reproduced ablations\n\nComprehension ablations:\n\n" + header);
        foreach (var r in results)
            text.AppendLine($"| {r.Title} | **{r.Verdict}** | {r.VerdictReason} | {RunsCell(r)} | {r.Settings.Seeds.Count} | {r.Settings.Steps} |");
        text.AppendLine();
        if (generation is { Count: > 0 })
        {
            text.Append("Generation experiments:\n\n" + header);
            foreach (var g in generation)
                text.AppendLine($"| {g.Title} | **{g.Verdict}** | {g.Reason} | {g.Runs.Count} | {g.Settings.Seeds.Count} | {g.Settings.Steps} |");
            text.AppendLine();
        }
        foreach (var r in results) text.AppendLine(Markdown(r));
        foreach (var curves in fewShot ?? []) text.AppendLine(FewShotReport.Markdown(curves));
        if (efficiency is not null) text.AppendLine(EfficiencyReport.Markdown(efficiency));
        foreach (var g in generation ?? []) text.AppendLine(GenerationReport.Markdown(g, level: 2));
        return text.ToString();
    }

    // a shared run is one piece of evidence: counted where it was trained, cross-referenced where it is reused
    private static string RunsCell(ExperimentResult r)
    {
        var shared = r.Runs.Where(x => x.ReusedFrom is not null).GroupBy(x => x.ReusedFrom!.Split('/')[0]).ToList();
        if (shared.Count == 0) return r.Runs.Count.ToString(CultureInfo.InvariantCulture);
        return $"{r.Runs.Count - shared.Sum(g => g.Count())} + " + string.Join(" + ", shared.Select(g => $"{g.Count()} shared with {g.Key}"));
    }

    /// <summary>The summary page over experiments (tables and charts), plotly.js inlined once.</summary>
    public static string SummaryHtml(IReadOnlyList<ExperimentResult> results, EfficiencyResult? efficiency = null, IReadOnlyList<FewShotResult>? fewShot = null,
        IReadOnlyList<GenerationResult>? generation = null) =>
        Page("Reproduced ablations", MarkdownToHtml(SummaryMarkdown(results, efficiency, fewShot, generation)) + string.Concat((fewShot ?? []).Select(f => Chart(FewShotReport.Chart(f)))) +
            string.Concat(results.Select(Charts)));

    /// <summary>Writes <c>&lt;id&gt;.json</c>, <c>&lt;id&gt;.md</c> and <c>&lt;id&gt;.html</c> into <paramref name="folder"/>.</summary>
    public static void Write(ExperimentResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        result.Save(Path.Combine(folder, result.Id + ".json"));
        WritePages(result, folder);
    }

    /// <summary>Writes <c>&lt;id&gt;.md</c> and <c>&lt;id&gt;.html</c> (the JSON is left as it is).</summary>
    public static void WritePages(ExperimentResult result, string folder)
    {
        Atomic(Path.Combine(folder, result.Id + ".md"), Markdown(result));
        Atomic(Path.Combine(folder, result.Id + ".html"), Html(result));
    }

    /// <summary>Writes <c>summary.md</c> and <c>summary.html</c> into <paramref name="folder"/>.</summary>
    public static void WriteSummary(IReadOnlyList<ExperimentResult> results, string folder, EfficiencyResult? efficiency = null, IReadOnlyList<FewShotResult>? fewShot = null,
        IReadOnlyList<GenerationResult>? generation = null)
    {
        Directory.CreateDirectory(folder);
        Atomic(Path.Combine(folder, "summary.md"), SummaryMarkdown(results, efficiency, fewShot, generation));
        Atomic(Path.Combine(folder, "summary.html"), SummaryHtml(results, efficiency, fewShot, generation));
    }

    private static void Atomic(string path, string text) => Runtime.AtomicFile.WriteAllText(path, text);

    private static string Chart(GenericChart chart) => $"<div>{PlotlyHtml.Fragment(chart, includePlotlyJs: false)}</div>\n";

    private static string Page(string title, string body) =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>" +
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px}</style>" +
        $"<script>{PlotlyHtml.PlotlyJs}</script></head><body>{body}</body></html>";

    /// <summary>The few-shot table, rendered for a notebook.</summary>
    public static HtmlView View(FewShotResult result) => new(MarkdownToHtml(FewShotReport.Markdown(result)));

    /// <summary>The efficiency tables, rendered for a notebook.</summary>
    public static HtmlView View(EfficiencyResult result) => new(MarkdownToHtml(EfficiencyReport.Markdown(result)));

    /// <summary>The results table, rendered for a notebook.</summary>
    public static HtmlView View(ExperimentResult result) => new(MarkdownToHtml(Markdown(result)));

    // Just enough Markdown for the report: headings, paragraphs with **bold** and `code`, pipe tables.
    private static string MarkdownToHtml(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.StartsWith('|'))
            {
                html.Append("<table>");
                bool header = true;
                for (; i < lines.Length && lines[i].StartsWith('|'); i++)
                {
                    if (lines[i].StartsWith("|---", StringComparison.Ordinal)) { header = false; continue; }
                    var cells = lines[i].Trim().Trim('|').Split('|').Select(c => Inline(c.Trim()));
                    string tag = header ? "th" : "td";
                    html.Append("<tr>").Append(string.Concat(cells.Select(c => $"<{tag}>{c}</{tag}>"))).Append("</tr>");
                }
                html.Append("</table>\n");
                i--;
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal)) html.Append($"<h2>{Inline(line[3..])}</h2>\n");
            else if (line.StartsWith("# ", StringComparison.Ordinal)) html.Append($"<h1>{Inline(line[2..])}</h1>\n");
            else if (line.Length > 0) html.Append($"<p>{Inline(line)}</p>\n");
        }
        return html.ToString();
    }

    private static string Inline(string text)
    {
        string encoded = WebUtility.HtmlEncode(text);
        encoded = System.Text.RegularExpressions.Regex.Replace(encoded, @"\*\*(.+?)\*\*", "<b>$1</b>");
        return System.Text.RegularExpressions.Regex.Replace(encoded, "`(.+?)`", "<code>$1</code>");
    }

    private static string Number(double? value) => value is double v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
