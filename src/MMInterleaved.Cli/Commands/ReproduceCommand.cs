using System.CommandLine;
using MMInterleaved.Experiments;
using MMInterleaved.Runtime;
using Spectre.Console;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi reproduce`: re-run the paper's comprehension ablations and write results, charts and a summary report.</summary>
public static class ReproduceCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var experiment = new Argument<string>("experiment")
        {
            Description = $"Which ablation: {string.Join(", ", AblationCatalog.All.Select(e => e.Id))}, {FewShotExperiment.Id} (Figure 6 left, evaluates the token-efficiency runs), {EfficiencyExperiment.Id} (Figure 6 right: FLOPs, parameters, step time and memory), or all.",
        };
        var quick = new Option<bool>("--quick") { Description = "Seconds-scale smoke run (tiny preset, 6 steps, 2 seeds): checks the pipeline, measures nothing. Also on when MMI_QUICK=1." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per variant (0…n−1; full default 3, quick 2)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps per run (full default 2000, the recipe of mmi train; multi-scale-multi-image trains 1.5× this)." };
        var parallel = new Option<int?>("--parallel") { Description = "Runs trained at once, one thread each (default: the number of cores)." };
        var repeats = new Option<int>("--repeats") { Description = "efficiency: timed training steps per arm (quick: 2).", DefaultValueFactory = _ => 10 };
        var questions = new Option<int>("--questions") { Description = "few-shot: held-out questions per run and shot count (quick: 8).", DefaultValueFactory = _ => 300 };
        var fewShotSource = new Option<string?>("--source") { Description = $"few-shot: evaluate only this experiment's runs ({AblationCatalog.TokenEfficiency.Id} or {AblationCatalog.InContextTraining.Id}; default: both, where their results exist in --out)." };
        var fresh = new Option<bool>("--no-reuse") { Description = "Train every run, even one identical to a run of another experiment in --out (by default such runs, like the shared baseline row, are reused)." };
        var resume = new Option<bool>("--resume") { Description = "Keep runs that already finished in artifacts/reproduce/runs with the same config, settings and seed (an interrupted experiment goes on where it stopped)." };
        var output = new Option<string?>("--out") { Description = "Folder for results (<id>.json, .md, .html) and summary.md/.html (default artifacts/reproduce; the committed full results live in results/). Run folders go to artifacts/reproduce/runs (quick: artifacts/reproduce-quick/runs)." };
        var command = new Command("reproduce", "Re-run the paper's comprehension ablations (Tables 6a, 7, 8, 17) on the glyph tasks: every variant × seed is trained " +
            "and scored, and the results (JSON), charts (HTML, plotly.js inlined) and a summary (Markdown, HTML) are written, with our numbers beside the paper's and a verdict.")
        {
            experiment, quick, seeds, steps, parallel, repeats, questions, fewShotSource, fresh, resume, output,
        };
        command.SetAction(parse =>
        {
            string id = parse.GetValue(experiment)!;
            bool efficiency = id is "all" or EfficiencyExperiment.Id;
            bool fewShot = id is "all" or FewShotExperiment.Id;
            var chosen = id == "all" ? AblationCatalog.All : id is EfficiencyExperiment.Id or FewShotExperiment.Id ? [] : [AblationCatalog.Get(id)];
            bool isQuick = parse.GetValue(quick) || RunMode.Quick;
            var settings = isQuick ? ExperimentSettings.QuickSettings : ExperimentSettings.Full;
            if (parse.GetValue(seeds) is int n) settings = settings with { Seeds = Enumerable.Range(0, n).Select(i => (long)i).ToArray() };
            if (parse.GetValue(steps) is int s) settings = settings with { Steps = s };
            if (parse.GetValue(parallel) is int p) settings = settings with { Parallelism = p };
            if (parse.GetValue(resume)) settings = settings with { Resume = true };
            string folder = parse.GetValue(output) ?? Path.Combine("artifacts", "reproduce");
            // run folders (checkpoints) never go into a results folder meant for committing, and quick runs keep their own:
            // a quick run of seed 0 would otherwise replace the full run's checkpoint that few-shot evaluates
            settings = (settings with { OutFolder = folder, RunsFolder = Path.Combine("artifacts", isQuick ? "reproduce-quick" : "reproduce", "runs") }).Validated();
            string commandLine = "mmi reproduce " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "reproduce").Skip(1));

            var results = new List<ExperimentResult>();
            foreach (var e in chosen)
            {
                int total = e.Variants.Count * settings.Seeds.Count, done = 0;
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Title)}[/]: {total} runs of {e.SettingsFor(settings).Steps} steps ({settings.Preset}{(isQuick ? ", quick" : "")}), {settings.Parallelism} at once");
                var earlier = parse.GetValue(fresh) ? [] : ExperimentResult.LoadFolder(folder).Concat(results).ToList();
                var result = ExperimentRunner.Run(e, settings, commandLine, record =>
                {
                    lock (results)
                    {
                        done++;
                        AnsiConsole.MarkupLine(Markup.Escape($"  [{done}/{total}] {record.Variant} seed {record.Seed}: " +
                            string.Join(", ", record.Metrics.Select(kv => $"{kv.Key} {kv.Value:F1}")) + $" ({record.TrainSeconds / 60:F1} min)" +
                            (record.ReusedFrom is null ? "" : $", reused from {record.ReusedFrom}")));
                    }
                }, earlier);
                ExperimentReport.Write(result, folder);
                results.Add(result);
            }
            if (fewShot)
            {
                // the token-efficiency runs (trained on single images) and, when trained, the in-context-training runs
                string[] known = [AblationCatalog.TokenEfficiency.Id, AblationCatalog.InContextTraining.Id];
                string? only = parse.GetValue(fewShotSource);
                if (only is not null && !known.Contains(only))
                    throw new ArgumentException($"--source is {only}; few-shot evaluates the runs of {string.Join(" or ", known)}.");
                if (only is not null && !File.Exists(Path.Combine(folder, only + ".json")))
                    throw new FileNotFoundException($"--source {only}: {Path.Combine(folder, only + ".json")} is missing; run `mmi reproduce {only}` with the same --out first.");
                var sources = (only is null ? known : [only]).Select(source => Path.Combine(folder, source + ".json")).Where(File.Exists).ToList();
                if (sources.Count == 0)
                    throw new FileNotFoundException($"few-shot evaluates the token-efficiency runs: {Path.Combine(folder, AblationCatalog.TokenEfficiency.Id + ".json")} is missing; run `mmi reproduce token-efficiency` with the same --out first.");
                int count = isQuick ? 8 : parse.GetValue(questions);
                foreach (var sourcePath in sources)
                {
                    var source = ExperimentResult.Load(sourcePath);
                    AnsiConsole.MarkupLine($"[bold]Few-shot (paper Figure 6 left)[/]: the {Markup.Escape(source.Id)} runs with {string.Join(", ", FewShotExperiment.ShotCounts)} shots, {count} questions each");
                    var curves = FewShotExperiment.Run(source, settings.RunsFolder!, count, commandLine,
                        p => AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant($"  {p.Variant} seed {p.Seed}, {p.Shots}-shot: {p.Overall:F1} %"))));
                    curves.Write(folder);
                    AnsiConsole.MarkupLine(Markup.Escape($"  Verdict: {curves.Verdict()}."));
                }
            }
            if (efficiency)
            {
                AnsiConsole.MarkupLine($"[bold]Efficiency (paper Figure 6 right)[/]: three arms, {(isQuick ? 2 : parse.GetValue(repeats))} timed steps each");
                var measured = EfficiencyExperiment.Run(settings, isQuick ? 2 : parse.GetValue(repeats), commandLine);
                measured.Write(folder);
                var o = measured.MmfsOverhead;
                var m = measured.ManyTokensOverMmfs;
                AnsiConsole.MarkupLine(Markup.Escape(FormattableString.Invariant(
                    $"  MMFS over no MMFS: FLOPs {o.Flops:+0%;-0%}, parameters {o.Parameters:+0%;-0%}, step time {o.Runtime:+0%;-0%}, step memory {o.Memory:+0%;-0%} (paper +2%, +2%, +6%, +3%); 8x tokens without MMFS over MMFS: FLOPs {m.Flops:F2}x, time {m.Runtime:F2}x (paper 2.8x, 1.3x)")));
            }
            // the summary covers every result in the folder, so one experiment at a time still builds the whole report
            var all = ExperimentResult.LoadFolder(folder);
            string efficiencyFile = Path.Combine(folder, "efficiency.json");
            var fewShotCurves = AblationCatalog.All.Select(e => Path.Combine(folder, FewShotResult.FileStemOf(e.Id) + ".json")).Where(File.Exists).Select(FewShotResult.Load).ToList();
            ExperimentReport.WriteSummary(all, folder, File.Exists(efficiencyFile) ? EfficiencyResult.Load(efficiencyFile) : null, fewShotCurves);

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
            AnsiConsole.MarkupLine($"Results, charts and summary: [bold]{Markup.Escape(Path.GetFullPath(folder))}[/] (summary.html opens offline).");
            if (isQuick) AnsiConsole.MarkupLine("[grey]Quick mode checks the pipeline only; the committed full results are in results/.[/]");
            return 0;
        });
        return command;
    }
}
