using System.CommandLine;
using MMInterleaved.Experiments;
using MMInterleaved.Runtime;
using Spectre.Console;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi reproduce`: re-run the paper's comprehension ablations and write results, charts and a summary report.</summary>
public static class ReproduceCommand
{
    private static readonly ReproductionRequest Defaults = new();

    /// <summary>Builds the command (the work is <see cref="Reproduction.Run"/>; option defaults are its request's).</summary>
    public static Command Build()
    {
        var experiment = new Argument<string>("experiment")
        {
            Description = $"Which ablation: {string.Join(", ", AblationCatalog.All.Select(e => e.Id))}, {FewShotExperiment.Id} (Figure 6 left, evaluates the token-efficiency runs), {EfficiencyExperiment.Id} (Figure 6 right: FLOPs, parameters, step time and memory), {string.Join(", ", GenerationCatalog.All.Select(e => e.Id))} (generation: Tables 5, 6a, 6c, 16, 17), or all.",
        };
        var quick = new Option<bool>("--quick") { Description = "Seconds-scale smoke run (tiny preset, 6 steps, 2 seeds): checks the pipeline, measures nothing. Also on when MMI_QUICK=1." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per variant (0…n−1; full default 5, quick 2)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps per run (full default 5000; multi-scale-multi-image trains 1.5× this; generation experiments 600, the joint ones and loss-terms 2000)." };
        var encoderObjective = new Option<string?>("--encoder-objective") { Description = "Comprehension ablations: the frozen encoder, scattered-glyphs (full default: glyphs on a 6×6 lattice, never the 4×4 grid the questions ask about), cells (the committed one pre-trained on the cells' own labels, the quick default) or isolated-glyphs (single glyphs, never a cell label); make them with `mmi pretrain-encoder --objective NAME`." };
        var lrGrid = new Option<string?>("--lr-grid") { Description = "Comprehension ablations: peak learning rates every trained arm is tuned over on Validation before its seeds run, comma-separated (full default 1e-4,3e-4,1e-3,3e-3; quick none), or none: every arm at the recipe's rate." };
        var parallel = new Option<int?>("--parallel") { Description = "Runs trained at once, one thread each (default: the number of cores)." };
        var repeats = new Option<int>("--repeats") { Description = "efficiency: timed training steps per arm (quick: 2).", DefaultValueFactory = _ => Defaults.Repeats };
        var questions = new Option<int>("--questions") { Description = "few-shot: held-out questions per run and shot count (quick: 8).", DefaultValueFactory = _ => Defaults.Questions };
        var fewShotSource = new Option<string?>("--source") { Description = $"few-shot: evaluate only this experiment's runs ({AblationCatalog.TokenEfficiency.Id} or {AblationCatalog.InContextTraining.Id}; default: both, where their results exist in --out)." };
        var fresh = new Option<bool>("--no-reuse") { Description = "Train every run, even one identical to a run of another experiment in --out (by default such runs, like the shared baseline row, are reused)." };
        var resume = new Option<bool>("--resume") { Description = "Keep runs that already finished in artifacts/reproduce/runs with the same config, settings and seed (an interrupted experiment goes on where it stopped; a generation run cut off mid-training continues from its last checkpoint)." };
        var reportsOnly = new Option<bool>("--reports-only") { Description = "Train and measure nothing: rewrite every report (.md, .html, summary) in --out from its JSON results with the current code (e.g. --out results)." };
        var reanalyse = new Option<bool>("--reanalyse") { Description = "With --reports-only: also re-derive each comprehension experiment's summaries and verdicts from the runs its JSON stores, with the current statistics, and rewrite the JSON (runs are kept as they are)." };
        var output = new Option<string?>("--out") { Description = "Folder for results (<id>.json, .md, .html) and summary.md/.html (default artifacts/reproduce; the committed full results live in results/). Run folders go to artifacts/reproduce/runs (quick: artifacts/reproduce-quick/runs)." };
        var command = new Command("reproduce", "Re-run the paper's comprehension ablations (Tables 6a, 7, 8, 17) on the glyph tasks: every variant × seed is trained " +
            "and scored, and the results (JSON), charts (HTML, plotly.js inlined) and a summary (Markdown, HTML) are written, with our numbers beside the paper's and a verdict.")
        {
            experiment, quick, seeds, steps, encoderObjective, lrGrid, parallel, repeats, questions, fewShotSource, fresh, resume, reportsOnly, reanalyse, output,
        };
        command.SetAction(parse =>
        {
            bool isQuick = parse.GetValue(quick) || RunMode.Quick;
            var request = new ReproductionRequest
            {
                Experiment = parse.GetValue(experiment)!, Quick = isQuick, Seeds = parse.GetValue(seeds), Steps = parse.GetValue(steps),
                EncoderObjective = parse.GetValue(encoderObjective) is string eo ? EncoderObjectiveOption.Parse(eo, "--encoder-objective") : null,
                LearningRateGrid = parse.GetValue(lrGrid) is string grid ? ParseGrid(grid) : null,
                Parallelism = parse.GetValue(parallel), Repeats = parse.GetValue(repeats), Questions = parse.GetValue(questions),
                FewShotSource = parse.GetValue(fewShotSource), Reuse = !parse.GetValue(fresh), Resume = parse.GetValue(resume),
                ReportsOnly = parse.GetValue(reportsOnly), Reanalyse = parse.GetValue(reanalyse), OutFolder = parse.GetValue(output) ?? Defaults.OutFolder,
                Command = "mmi reproduce " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "reproduce").Skip(1)),
            };
            var outcome = Reproduction.Run(request, line => AnsiConsole.MarkupLine(line.StartsWith(' ') ? Markup.Escape(line) : $"[bold]{Markup.Escape(line)}[/]"));
            var results = outcome.Experiments;
            string folder = request.OutFolder;

            // one small table per experiment, only the columns it measured, so it stays readable in an 80-column terminal
            (string Metric, string Header)[] columns = [(AblationMetrics.Caption, "≈ Caption"), (AblationMetrics.Attributes, "≈ OK-VQA"), (AblationMetrics.Reading, "≈ TextVQA"), (AblationMetrics.MultiImage, "earlier image")];
            foreach (var r in results)
            {
                var shown = columns.Where(c => r.Summary.Any(v => v.Metrics.ContainsKey(c.Metric))).ToList();
                var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{r.Id}: {r.Verdict}")).AddColumn("variant");
                foreach (var c in shown) table.AddColumn(new TableColumn(c.Header).RightAligned());
                foreach (var v in r.Summary)
                    table.AddRow([Markup.Escape(v.Label), .. shown.Select(c => Markup.Escape(v.Metrics.GetValueOrDefault(c.Metric)?.ToString() ?? "–"))]);
                AnsiConsole.Write(table);
            }
            foreach (var g in outcome.Generation)
            {
                var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{g.Id}: {g.Verdict}")).AddColumn("arm").AddColumn(new TableColumn(g.Metric).RightAligned()).AddColumn(new TableColumn("paper").RightAligned());
                foreach (var (arm, metrics) in g.Summary)
                    table.AddRow(Markup.Escape(arm), Markup.Escape(metrics.TryGetValue(g.Metric, out var m) ? FormattableString.Invariant($"{m.Mean:0.###} ± {m.Std:0.###}") : "–"),
                        g.Paper.TryGetValue(arm, out var p) ? p.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "");
                AnsiConsole.Write(table);
            }
            AnsiConsole.MarkupLine($"Results, charts and summary: [bold]{Markup.Escape(Path.GetFullPath(folder))}[/] (summary.html opens offline).");
            if (isQuick) AnsiConsole.MarkupLine("[grey]Quick mode checks the pipeline only; the committed full results are in results/.[/]");
            return 0;
        });
        return command;
    }

    /// <summary>`--lr-grid`: comma-separated positive rates, or none (no tuning); anything else is a one-line error.</summary>
    public static IReadOnlyList<double> ParseGrid(string text)
    {
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var rates = new List<double>();
        foreach (var part in parts)
            if (double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double rate) && rate > 0 && double.IsFinite(rate))
                rates.Add(rate);
            else
                throw new ArgumentException($"--lr-grid '{text}': '{part}' is not a positive learning rate; expected e.g. 1e-4,3e-4,1e-3, or none.");
        if (rates.Count == 0 || rates.Distinct().Count() != rates.Count)
            throw new ArgumentException($"--lr-grid '{text}': expected distinct positive learning rates, e.g. 1e-4,3e-4,1e-3, or none.");
        return rates;
    }
}
