using System.Globalization;
using System.Net;
using System.Text;
using MMInterleaved.Data.Images;
using MMInterleaved.Visualization;
using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace MMInterleaved.Experiments;

/// <summary>
/// How a generation experiment's result reads: one table (per arm the mean ± SD over seeds of the experiment's columns,
/// the paper's value), the verdict and the runs, as Markdown (`{id}.md`) or as HTML for notebooks; and a grid of the
/// images an evaluation wrote (`mmi eval --out`), prompt by prompt.
/// </summary>
public static class GenerationReport
{
    /// <summary>The columns shown when an experiment names none: the generation scores present in its runs.</summary>
    private static string[] DefaultColumns(GenerationResult result) =>
        [result.Metric, result.Metric + "_other_map", result.Metric + "_own_minus_other", result.Metric + "_real", "fid_glyph", "cell_color", "cell_kind",
            "cell_color_changed", "cell_color_unchanged", "cell_color_changed_copy_previous", "similarity", "similarity_previous"];

    /// <summary>The table: a header (arm, each column, paper) and one row per arm.</summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) Table(GenerationResult result)
    {
        var columns = (result.Columns?.ToArray() ?? DefaultColumns(result)).Distinct()
            .Where(c => result.Summary.Values.Any(s => s.ContainsKey(c))).ToArray();
        var rows = result.Summary.Select(kv => (IReadOnlyList<string>)
            [kv.Key, .. columns.Select(c => kv.Value.TryGetValue(c, out var m) ? Format(m, SeedsOf(result, kv.Key)) : "–"),
                result.Paper.TryGetValue(kv.Key, out var p) ? p.ToString("0.00", CultureInfo.InvariantCulture) : ""]).ToList();
        return (["arm", .. columns, "paper"], rows);
    }

    /// <summary>The result as Markdown (what `{id}.md` holds); <paramref name="level"/> is its heading's level (2 inside
    /// the summary).</summary>
    public static string Markdown(GenerationResult result, int level = 1)
    {
        var (header, rows) = Table(result);
        var md = new StringBuilder($"{new string('#', level)} {result.Title}\n\n{result.Claim}\n\n**Verdict: {result.Verdict}.** {result.Reason}\n\n");
        md.Append($"{Setup(result)}\n\n");
        md.Append("| " + string.Join(" | ", header) + " |\n|" + string.Concat(header.Select(_ => "---|")) + "\n");
        foreach (var row in rows) md.Append("| " + string.Join(" | ", row) + " |\n");
        md.Append($"\nPer run: {PerRun(result)}.\n");
        md.Append($"\nCommand: `{result.Command}`. Machine: {result.Machine}.\n");
        return md.ToString();
    }

    /// <summary>The result as an HTML fragment for a notebook.</summary>
    public static HtmlView View(GenerationResult result)
    {
        var (header, rows) = Table(result);
        string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder($"<p><b>{E(result.Title)}</b>. {E(result.Claim)}</p><p><b>Verdict: {E(result.Verdict)}.</b> {E(result.Reason)}</p>");
        html.Append($"<p>{E(Setup(result))}</p><table><tr>{string.Concat(header.Select(h => $"<th>{E(h)}</th>"))}</tr>");
        foreach (var row in rows) html.Append($"<tr>{string.Concat(row.Select(c => $"<td>{E(c)}</td>"))}</tr>");
        html.Append($"</table><p>Per run: {E(PerRun(result))}.</p>");
        return new HtmlView(html.ToString());
    }

    /// <summary>The training curve of the logged value <paramref name="key"/> (e.g. <c>loss_img</c>, <c>loss_txt</c>), one
    /// line per run whose training log <paramref name="logOf"/> finds.</summary>
    public static GenericChart LossCurves(GenerationResult result, string key, Func<GenerationRunRecord, string?> logOf)
    {
        var lines = result.Runs.Select(run => (run, Points: logOf(run) is string log ? GenerationRunner.Logged(log, key) : []))
            .Where(r => r.Points.Count > 0)
            .Select(r => PlotlyChart.Line<int, double, string>(r.Points.Select(p => p.Step).ToArray(), r.Points.Select(p => p.Value).ToArray(), Name: $"{r.run.Arm} seed {r.run.Seed}"));
        return PlotlyChart.Combine(lines).WithTitles($"{result.Title}: {key} while training", "step", key);
    }

    /// <summary>
    /// The images an evaluation wrote into <paramref name="folder"/> (`{i}-{kind}.png`: map, generated, segmented, real;
    /// story frames `{i}-f{k}-{kind}.png`) as a grid, one row per prompt (the first <paramref name="prompts"/>), one column
    /// per kind, each image scaled ×<paramref name="scale"/>.
    /// </summary>
    public static HtmlView Samples(string folder, int prompts = 8, int scale = 4)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no evaluation images in {folder}: score a run with `mmi eval --out {folder}` first.");
        var images = Directory.GetFiles(folder, "*.png").Select(f => (File: f, Name: Path.GetFileNameWithoutExtension(f)))
            .Select(f => (f.File, Prompt: f.Name.Split('-')[0], Kind: f.Name[(f.Name.IndexOf('-') + 1)..]))
            .Where(f => int.TryParse(f.Prompt, NumberStyles.None, CultureInfo.InvariantCulture, out _)).ToList();
        var kinds = images.Select(i => i.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        var html = new StringBuilder($"<table><tr><th>prompt</th>{string.Concat(kinds.Select(k => $"<th>{WebUtility.HtmlEncode(k)}</th>"))}</tr>");
        foreach (var prompt in images.Select(i => int.Parse(i.Prompt, CultureInfo.InvariantCulture)).Distinct().Order().Take(prompts))
        {
            html.Append($"<tr><td>{prompt}</td>");
            foreach (var kind in kinds)
            {
                var file = images.FirstOrDefault(i => i.Prompt == prompt.ToString(CultureInfo.InvariantCulture) && i.Kind == kind).File;
                if (file is null) { html.Append("<td></td>"); continue; }
                using var image = ImageTensors.Load(file);
                html.Append($"<td>{ImageView.FromTensor(image, scale).ToHtml()}</td>");
            }
            html.Append("</tr>");
        }
        return new HtmlView(html.Append("</table>").ToString());
    }

    private static string Setup(GenerationResult result) =>
        $"Mean ± SD over {result.Settings.Seeds.Count} seeds ({result.Settings.TestPrompts} Test prompts per run; {result.Settings.Steps} steps, preset {result.Settings.Preset}).{Runtime(result)}";

    // The issue asks each experiment to state its runtime: training wall time per run, as measured by the run itself.
    private static string Runtime(GenerationResult result)
    {
        var minutes = result.Runs.Select(r => r.TrainSeconds / 60).Where(double.IsFinite).ToList();
        if (minutes.Count == 0) return "";
        return FormattableString.Invariant($" Training took {minutes.Min():0}–{minutes.Max():0} min per run (wall time, up to {result.Settings.Parallelism} runs at once).");
    }

    private static string PerRun(GenerationResult result) =>
        string.Join("; ", result.Runs.Select(r => FormattableString.Invariant($"{r.Arm} seed {r.Seed} {r.Metrics.GetValueOrDefault(result.Metric, double.NaN):0.###}")));

    private static int SeedsOf(GenerationResult result, string arm) => result.Runs.Count(r => r.Arm == arm);

    // A score missing from some runs (one added after they were scored) says over how many seeds it is.
    private static string Format(MetricSummary m, int seeds)
    {
        string value = m.N > 1 ? FormattableString.Invariant($"{m.Mean:0.###} ± {m.Std:0.###}") : FormattableString.Invariant($"{m.Mean:0.###}");
        return m.N < seeds ? FormattableString.Invariant($"{value} ({m.N} of {seeds} seeds)") : value;
    }
}
