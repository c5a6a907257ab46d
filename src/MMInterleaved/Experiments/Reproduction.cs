namespace MMInterleaved.Experiments;

/// <summary>
/// Reproduces the paper's comprehension experiments in one call, as `mmi reproduce` does: the settings of the mode and
/// request, the run-folder policy, the ablations (runs shared with other experiments' results reused), the few-shot
/// curves of every trained source, the efficiency measurement, and the summary over every result in the folder.
/// </summary>
public static class Reproduction
{
    /// <summary>The few-shot sources: the token-efficiency runs (single images) and the in-context-training runs.</summary>
    public static IReadOnlyList<string> FewShotSources { get; } = [AblationCatalog.TokenEfficiency.Id, AblationCatalog.InContextTraining.Id];

    /// <summary>
    /// The settings a request runs with. Run folders (checkpoints) never go into a results folder meant for committing,
    /// and quick runs keep their own: a quick run of seed 0 would otherwise replace the full run's checkpoint that few-shot
    /// evaluates.
    /// </summary>
    public static ExperimentSettings SettingsFor(ReproductionRequest request)
    {
        var settings = request.Quick ? ExperimentSettings.QuickSettings : ExperimentSettings.Full;
        if (request.Seeds is int n) settings = settings with { Seeds = Enumerable.Range(0, n).Select(i => (long)i).ToArray() };
        if (request.Steps is int s) settings = settings with { Steps = s };
        if (request.Parallelism is int p) settings = settings with { Parallelism = p };
        if (request.EncoderObjective is { } objective) settings = settings with { EncoderObjective = objective };
        if (request.LearningRateGrid is { } grid) settings = settings with { LearningRateGrid = grid };
        return (settings with
        {
            Resume = request.Resume, OutFolder = request.OutFolder,
            RunsFolder = Path.Combine("artifacts", request.Quick ? "reproduce-quick" : "reproduce", "runs"),
        }).Validated();
    }

    /// <summary>Runs <paramref name="request"/>; <paramref name="log"/> hears a line per stage and per finished run or
    /// point. Writes every result and page into the out folder, then the summary of all results there.</summary>
    public static ReproductionOutcome Run(ReproductionRequest request, Action<string>? log = null)
    {
        if (request.Reanalyse && !request.ReportsOnly) throw new ArgumentException("--reanalyse re-derives verdicts of results already in --out and trains nothing: use it with --reports-only.");
        if (request.ReportsOnly) return RewriteReports(request, log);
        string id = request.Experiment;
        IReadOnlyList<GenerationExperiment> generation = id == "all" ? GenerationCatalog.All : GenerationCatalog.Find(id) is { } g ? [g] : [];
        IReadOnlyList<AblationExperiment> chosen = id switch
        {
            "all" => AblationCatalog.All,
            FewShotExperiment.Id or EfficiencyExperiment.Id => [],
            _ when generation.Count > 0 => [],
            _ => [AblationCatalog.All.FirstOrDefault(e => e.Id == id) ?? throw new ArgumentException(
                $"unknown experiment '{id}'; the experiments are {string.Join(", ", AblationCatalog.All.Select(e => e.Id).Append(FewShotExperiment.Id).Append(EfficiencyExperiment.Id).Concat(GenerationCatalog.All.Select(e => e.Id)))} (or all).")],
        };
        var settings = SettingsFor(request);
        string folder = request.OutFolder;

        var results = new List<ExperimentResult>();
        foreach (var experiment in chosen)
        {
            int total = ExperimentRunner.RunCount(experiment, experiment.SettingsFor(settings)), done = 0;
            log?.Invoke($"{experiment.Title}: {total} runs of {experiment.SettingsFor(settings).Steps} steps ({settings.Preset}{(request.Quick ? ", quick" : "")}), {settings.Parallelism} at once");
            var earlier = request.Reuse ? ExperimentResult.LoadFolder(folder).Concat(results).ToList() : [];
            var result = ExperimentRunner.Run(experiment, settings, request.Command, record =>
            {
                lock (results)
                {
                    done++;
                    log?.Invoke($"  [{done}/{total}] {record.Variant} seed {record.Seed}" +
                        (record.LearningRate is double rate ? FormattableString.Invariant($" lr {rate:G3}") : "") + ": " +
                        (record.Metrics.Count == 0 ? FormattableString.Invariant($"tuning, Validation {LearningRateTuning.Score(record):F1}")
                            : string.Join(", ", record.Metrics.Select(kv => FormattableString.Invariant($"{kv.Key} {kv.Value:F1}")))) +
                        FormattableString.Invariant($" ({record.TrainSeconds / 60:F1} min)") + (record.ReusedFrom is null ? "" : $", reused from {record.ReusedFrom}"));
                }
            }, earlier, line => log?.Invoke("  " + line));
            ExperimentReport.Write(result, folder);
            results.Add(result);
        }

        var curves = new List<FewShotResult>();
        if (id is "all" or FewShotExperiment.Id)
            foreach (var source in FewShotInputs(request, folder))
            {
                int questions = request.Quick ? 8 : request.Questions;
                log?.Invoke($"Few-shot (paper Figure 6 left): the {source.Id} runs with {string.Join(", ", FewShotExperiment.ShotCounts)} shots, {questions} questions each");
                var curve = FewShotExperiment.Run(source, settings.RunsFolder!, questions, request.Command,
                    p => log?.Invoke(FormattableString.Invariant($"  {p.Variant} seed {p.Seed}, {p.Shots}-shot: {p.Overall:F1} %")));
                FewShotReport.Write(curve, folder);
                log?.Invoke($"  Verdict: {curve.Verdict()}.");
                curves.Add(curve);
            }

        EfficiencyResult? efficiency = null;
        if (id is "all" or EfficiencyExperiment.Id)
        {
            int repeats = request.Quick ? 2 : request.Repeats;
            log?.Invoke($"Efficiency (paper Figure 6 right): three arms, {repeats} timed steps each");
            efficiency = EfficiencyExperiment.Run(settings, repeats, request.Command);
            EfficiencyReport.Write(efficiency, folder);
            var o = efficiency.MmfsOverhead;
            var m = efficiency.ManyTokensOverMmfs;
            log?.Invoke(FormattableString.Invariant(
                $"  MMFS over no MMFS: FLOPs {o.Flops:+0%;-0%}, parameters {o.Parameters:+0%;-0%}, step time {o.Runtime:+0%;-0%}, step memory {o.Memory:+0%;-0%} (paper +2%, +2%, +6%, +3%); 8x tokens without MMFS over MMFS: FLOPs {m.Flops:F2}x, time {m.Runtime:F2}x (paper 2.8x, 1.3x)"));
        }

        var generated = new List<GenerationResult>();
        foreach (var experiment in generation)
        {
            var generationSettings = GenerationSettingsFor(request, experiment);
            log?.Invoke($"{experiment.Title}: {experiment.Arms.Count * generationSettings.Seeds.Count} runs of {generationSettings.Steps} steps ({generationSettings.Preset}{(request.Quick ? ", quick" : "")})");
            var result = GenerationRunner.Run(experiment, generationSettings, request.Command, log);
            GenerationRunner.Write(result, folder);
            log?.Invoke($"  Verdict: {result.Verdict}. {result.Reason}");
            generated.Add(result);
        }

        WriteSummary(folder);
        return new ReproductionOutcome(results, curves, efficiency, settings) { Generation = generated };
    }

    /// <summary>The settings a request runs a generation experiment with (its seeds, steps, parallelism and resume; a full
    /// run of <paramref name="experiment"/> trains its own <see cref="GenerationExperiment.Steps"/> unless the request names steps).</summary>
    public static GenerationSettings GenerationSettingsFor(ReproductionRequest request, GenerationExperiment? experiment = null)
    {
        var settings = request.Quick ? GenerationSettings.Quick : GenerationSettings.Full;
        if (!request.Quick && experiment?.Steps is int own) settings = settings with { Steps = own };
        if (request.Seeds is int n) settings = settings with { Seeds = Enumerable.Range(0, n).Select(i => (long)i).ToArray() };
        if (request.Steps is int s) settings = settings with { Steps = s };
        if (request.Parallelism is int p) settings = settings with { Parallelism = p };
        return settings with { Resume = request.Resume };
    }

    // The reports of every result in the folder, made again from its JSON.
    private static ReproductionOutcome RewriteReports(ReproductionRequest request, Action<string>? log)
    {
        string folder = request.OutFolder;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--out {folder}: no such folder of results.");
        var results = ExperimentResult.LoadFolder(folder);
        if (request.Reanalyse)
        {
            results = [.. results.Select(ExperimentRunner.Reanalyse)];
            foreach (var result in results) result.Save(Path.Combine(folder, result.Id + ".json"));
            log?.Invoke($"Re-analysed {results.Count} comprehension results from their stored runs: {string.Join(", ", results.Select(r => $"{r.Id} {r.Verdict}"))}.");
        }
        foreach (var result in results) ExperimentReport.WritePages(result, folder);
        var curves = FewShotCurvesIn(folder);
        foreach (var curve in curves) FewShotReport.WritePages(curve, folder);
        var efficiency = EfficiencyIn(folder);
        if (efficiency is not null) EfficiencyReport.WritePages(efficiency, folder);
        var generated = GenerationResultsIn(folder);
        foreach (var result in generated) GenerationRunner.Write(result, folder);
        WriteSummary(folder);
        log?.Invoke($"Rewrote the reports of {results.Count} experiments, {curves.Count} few-shot curves, {generated.Count} generation experiments{(efficiency is null ? "" : " and the efficiency result")} in {folder} from their JSON.");
        return new ReproductionOutcome(results, curves, efficiency, SettingsFor(request)) { Generation = generated };
    }

    private static List<FewShotResult> FewShotCurvesIn(string folder) =>
        AblationCatalog.All.Select(e => Path.Combine(folder, FewShotResult.FileStemOf(e.Id) + ".json")).Where(File.Exists).Select(FewShotResult.Load).ToList();

    // The generation results saved in the folder, summarised again by the current code.
    private static List<GenerationResult> GenerationResultsIn(string folder) =>
        GenerationCatalog.All.Select(e => Path.Combine(folder, e.Id + ".json")).Where(File.Exists).Select(GenerationResult.Load).Select(GenerationRunner.Resummarise).ToList();

    private static EfficiencyResult? EfficiencyIn(string folder)
    {
        string file = Path.Combine(folder, EfficiencyExperiment.Id + ".json");
        return File.Exists(file) ? EfficiencyResult.Load(file) : null;
    }

    /// <summary>Writes summary.md/.html over every result in <paramref name="folder"/>, so one experiment at a time still
    /// builds the whole report.</summary>
    public static void WriteSummary(string folder)
    {
        ExperimentReport.WriteSummary(ExperimentResult.LoadFolder(folder), folder, EfficiencyIn(folder), FewShotCurvesIn(folder), GenerationResultsIn(folder));
    }

    // The trained sources few-shot evaluates: the request's one (which must exist), else every known one present.
    private static IEnumerable<ExperimentResult> FewShotInputs(ReproductionRequest request, string folder)
    {
        string? only = request.FewShotSource;
        if (only is not null && !FewShotSources.Contains(only))
            throw new ArgumentException($"--source is {only}; few-shot evaluates the runs of {string.Join(" or ", FewShotSources)}.");
        if (only is not null && !File.Exists(Path.Combine(folder, only + ".json")))
            throw new FileNotFoundException($"--source {only}: {Path.Combine(folder, only + ".json")} is missing; run `mmi reproduce {only}` with the same --out first.");
        var paths = (only is null ? FewShotSources : [only]).Select(source => Path.Combine(folder, source + ".json")).Where(File.Exists).ToList();
        if (paths.Count == 0)
            throw new FileNotFoundException($"few-shot evaluates the token-efficiency runs: {Path.Combine(folder, AblationCatalog.TokenEfficiency.Id + ".json")} is missing; run `mmi reproduce token-efficiency` with the same --out first.");
        return paths.Select(ExperimentResult.Load);
    }
}
