using Plotly.NET;
using MMInterleaved.Runtime;

namespace MMInterleaved.Experiments;

/// <summary>
/// What an ablation notebook shows, in one call shared by notebooks 04–07 (and the generation notebooks, 11–14): in quick mode (`MMI_QUICK=1`, the test suite)
/// a seconds-scale run of the tiny preset; with <c>rerun</c>, or when nothing is committed, the full experiment (runs
/// identical to committed runs of other experiments are reused, as `mmi reproduce` does); otherwise the committed result.
/// </summary>
public static class NotebookResults
{
    /// <summary>The result of <paramref name="experiment"/> for a notebook whose working folder is <c>notebooks/</c>.</summary>
    /// <param name="experiment">The ablation.</param>
    /// <param name="rerun">Train everything again (full mode: the minutes stated in the results).</param>
    /// <param name="notebook">Recorded as the result's command ("notebook 04").</param>
    /// <param name="resultsFolder">The committed results (default <c>../results</c>).</param>
    public static ExperimentResult For(AblationExperiment experiment, bool rerun, string notebook, string? resultsFolder = null)
    {
        string results = resultsFolder ?? Path.Combine("..", "results");
        string committed = Path.Combine(results, experiment.Id + ".json");
        if (RunMode.Quick)
            return ExperimentRunner.Run(experiment, ExperimentSettings.QuickSettings with { OutFolder = Path.Combine("..", "artifacts", "reproduce-quick") }, notebook + ", quick mode");
        if (rerun || !File.Exists(committed))
            return ExperimentRunner.Run(experiment, ExperimentSettings.Full with { OutFolder = Path.Combine("..", "artifacts", "reproduce") }, notebook,
                reusable: ExperimentResult.LoadFolder(results));
        return ExperimentResult.Load(committed);
    }

    /// <summary>A line saying what the notebook shows.</summary>
    public static string Describe(ExperimentResult result) =>
        result.Settings.Quick ? "quick mode: tiny preset, a few steps (measures nothing)" : $"results of `{result.Command}`, finished {result.FinishedUtc:u}";

    /// <summary>
    /// The result of a generation experiment for a notebook (working folder <c>notebooks/</c>): in quick mode a
    /// seconds-scale run of one seed; with <paramref name="rerun"/> the full experiment in this process with the
    /// experiment's own settings (as `mmi reproduce` runs it), keeping finished runs, those of `mmi reproduce` included
    /// (hours: the README states each one's cost); otherwise the committed result; while none is committed, the runs
    /// finished so far that <c>results/{id}/runs/</c> holds (verdict "in progress"); null when there are none.
    /// </summary>
    public static GenerationResult? For(GenerationExperiment experiment, bool rerun, string notebook, string? resultsFolder = null)
    {
        string results = resultsFolder ?? Path.Combine("..", "results");
        string committed = Path.Combine(results, experiment.Id + ".json");
        if (RunMode.Quick)
            return GenerationRunner.Run(experiment, GenerationSettings.Quick with { Seeds = [0], RunsFolder = Path.Combine("..", "artifacts", "reproduce-quick", "runs") }, notebook + ", quick mode");
        var settings = Reproduction.GenerationSettingsFor(new ReproductionRequest { Experiment = experiment.Id }, experiment);
        if (settings.Preset.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Path.IsPathRooted(settings.Preset))
            settings = settings with { Preset = Path.Combine("..", settings.Preset) };   // a preset file named from the checkout
        if (rerun)
            return GenerationRunner.Run(experiment, settings with { Resume = true, RunsFolder = Path.Combine("..", "artifacts", "reproduce", "runs") }, notebook);
        if (File.Exists(committed)) return GenerationResult.Load(committed);
        var finished = GenerationRunner.FinishedRuns(experiment, Path.Combine(results, experiment.Id, "runs"), settings.Seeds);
        return finished.Count == 0 ? null : GenerationRunner.InProgress(experiment, settings, finished, $"{notebook}: the runs committed so far");
    }

    /// <summary>A line saying what a generation notebook shows.</summary>
    public static string Describe(GenerationExperiment experiment, GenerationResult? result) =>
        result is null ? $"not run yet: no {experiment.Id}.json in results/. Run `mmi reproduce {experiment.Id} --out results --resume` (hours; see the README), or set rerun = true."
        : result.Settings.IsQuick ? "quick mode: tiny preset, a few steps (measures nothing)"
        : result.Verdict == GenerationRunner.InProgressVerdict ? $"in progress: {result.Reason} These are the finished runs committed in results/{experiment.Id}/ (its README says how to resume)."
        : $"results of `{result.Command}`, finished {result.Date:u}";

    /// <summary>The training log (<c>metrics.jsonl</c>) of <paramref name="run"/>, seen from <c>notebooks/</c>: in its run
    /// folder when that is here, else the committed copy <c>results/{id}/runs/{arm}-seed{s}/</c>; null when neither is.</summary>
    public static string? TrainingLog(GenerationResult result, GenerationRunRecord run, string? resultsFolder = null)
    {
        string[] candidates =
        [
            Path.Combine(run.Folder, "metrics.jsonl"), Path.Combine("..", run.Folder, "metrics.jsonl"),
            Path.Combine(resultsFolder ?? Path.Combine("..", "results"), result.Id, "runs", $"{run.Arm}-seed{run.Seed}", "metrics.jsonl"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>The training curve of <paramref name="key"/> (a loss the training log records, e.g. <c>loss_img</c>) for
    /// every run of <paramref name="result"/> whose log is here (<see cref="TrainingLog"/>).</summary>
    public static GenericChart LossCurves(GenerationResult result, string key) =>
        GenerationReport.LossCurves(result, key, run => TrainingLog(result, run));

    /// <summary>
    /// Where the Test images of <paramref name="run"/> are, seen from <c>notebooks/</c>: its run folder's <c>test/</c> when
    /// that is here, else the committed copy <c>results/{id}/{arm}-seed{s}-step{steps}/</c>; null when neither is.
    /// </summary>
    public static string? SamplesFolder(GenerationResult result, GenerationRunRecord run, string? resultsFolder = null)
    {
        string[] candidates =
        [
            Path.Combine(run.Folder, "test"), Path.Combine("..", run.Folder, "test"),
            Path.Combine(resultsFolder ?? Path.Combine("..", "results"), result.Id, $"{run.Arm}-seed{run.Seed}-step{result.Settings.Steps}"),
        ];
        return candidates.FirstOrDefault(Directory.Exists);
    }
}
