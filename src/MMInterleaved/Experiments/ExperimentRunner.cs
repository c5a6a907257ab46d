using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MMInterleaved.Experiments;

/// <summary>
/// Runs an experiment's variants × seeds, at most <see cref="ExperimentSettings.Parallelism"/> at once with one intra-op
/// thread each (in worker processes when `mmi` can be started, see <see cref="RunWorker"/>; else in threads) (the pilot: small models scale badly over threads; never more runs than cores), then summarises them at
/// equal steps and at equal training time and judges the paper's comparisons.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Runs <paramref name="experiment"/>; <paramref name="progress"/> hears each finished run. A run identical to one in
    /// <paramref name="reusable"/> (other experiments' results: same model config, settings, seed and training mix, see
    /// <see cref="AblationRun.Fingerprint"/>) is taken from there instead of trained again, marked with
    /// <see cref="RunRecord.ReusedFrom"/>; this is how the paper's tables share one baseline row.
    /// </summary>
    public static ExperimentResult Run(AblationExperiment experiment, ExperimentSettings settings, string command = "", Action<RunRecord>? progress = null,
        IEnumerable<ExperimentResult>? reusable = null, Action<string>? retried = null)
    {
        settings = experiment.SettingsFor(settings).Validated();
        var earlier = ReusableRuns(reusable ?? [], experiment.Id);
        string runs = Path.Combine(settings.RunsFolder ?? Path.Combine(settings.OutFolder, "runs"), experiment.Id);
        // first every tuned arm at each rate of the grid with the tuning seed (Validation curve only), then every arm's
        // seeds at its chosen rate (see LearningRateTuning)
        var tuned = experiment.Variants.Where(v => LearningRateTuning.IsTuned(v, settings)).ToList();
        var tuning = RunJobs(experiment, settings, [.. tuned.SelectMany(v => settings.LearningRateGrid.Select(rate => new Job(v with { LearningRate = rate },
            settings.TuningSeed, false, Path.Combine(runs, LearningRateTuning.FolderName(v, rate, settings.TuningSeed)))))], earlier, progress, retried);
        var rates = tuned.ToDictionary(v => v.Name, v => LearningRateTuning.Choose([.. tuning.Where(r => r.Variant == v.Name)], settings.LearningRateGrid));
        var arms = experiment.Variants.Select(v => rates.TryGetValue(v.Name, out var rate) ? v with { LearningRate = rate } : v).ToList();
        var records = RunJobs(experiment, settings, [.. arms.SelectMany(v => settings.Seeds.Select(seed => new Job(v, seed, true, Path.Combine(runs, $"{v.Name}-seed{seed}"))))],
            earlier, progress, retried);
        var order = experiment.Variants.SelectMany(v => settings.Seeds.Select(seed => (v.Name, seed))).ToList();
        var tuningOrder = tuned.SelectMany(v => settings.LearningRateGrid.Select(rate => (v.Name, (double?)rate))).ToList();
        return Summarise(experiment, settings, [.. records.OrderBy(r => order.IndexOf((r.Variant, r.Seed)))], command) with
        {
            TuningRuns = [.. tuning.OrderBy(r => tuningOrder.IndexOf((r.Variant, r.LearningRate)))],
        };
    }

    /// <summary>How many runs <see cref="Run"/> trains or reuses for <paramref name="experiment"/>: the tuning runs and
    /// every arm's seeds.</summary>
    public static int RunCount(AblationExperiment experiment, ExperimentSettings settings) =>
        experiment.Variants.Count(v => LearningRateTuning.IsTuned(v, settings)) * settings.LearningRateGrid.Count + experiment.Variants.Count * settings.Seeds.Count;

    /// <summary>One training job: the variant (at its rate), the seed, whether it is scored (false: a tuning run), its folder.</summary>
    private sealed record Job(AblationVariant Variant, long Seed, bool Score, string Folder);

    /// <summary>Trains (or takes from <paramref name="earlier"/>, or with Resume from its folder) every job, at most
    /// <see cref="ExperimentSettings.Parallelism"/> at once.</summary>
    private static List<RunRecord> RunJobs(AblationExperiment experiment, ExperimentSettings settings, List<Job> jobs, Dictionary<string, RunRecord> earlier,
        Action<RunRecord>? progress, Action<string>? retried)
    {
        var records = new ConcurrentBag<RunRecord>();
        foreach (var job in jobs.ToList())
        {
            if (!earlier.TryGetValue(AblationRun.Fingerprint(job.Variant, settings, job.Seed, experiment.Training, job.Score), out var found)) continue;
            var record = found with { Variant = job.Variant.Name };
            records.Add(record);
            progress?.Invoke(record);
            jobs.Remove(job);
        }
        // runs that share the machine go to worker processes where `mmi` can start them (see RunWorker)
        bool inProcesses = settings.Parallelism > 1 && jobs.Count > 1 && RunWorker.CanRun(experiment);
        int previousThreads = get_num_threads();
        set_num_threads(1);
        try
        {
            Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, job =>
            {
                var record = (settings.Resume ? AblationRun.FinishedRecord(job.Variant, job.Seed, settings, job.Folder, experiment.Training, job.Score) : null)
                    ?? (inProcesses
                        ? RunWorker.Run(new RunWorkerSpec(experiment.Id, job.Variant.Name, job.Seed, settings, job.Folder, job.Variant.LearningRate, job.Score), experiment)
                        : ExecuteRetryingNativeRace(() => AblationRun.Execute(job.Variant, job.Seed, settings, job.Folder, experiment.Training, job.Score),
                            settings.Parallelism > 1, $"{job.Variant.Name} seed {job.Seed}", retried));
                records.Add(record);
                progress?.Invoke(record);
            });
        }
        finally
        {
            set_num_threads(previousThreads);
        }
        return [.. records];
    }

    /// <summary>
    /// Runs one training job; when runs share the process in threads, a libtorch error is retried (at most twice, from
    /// scratch: runs are deterministic, so the record is the one an undisturbed run gives). Why: TorchSharp 0.107 leaves its
    /// implicit Scalars to a finalizer, and a GC triggered by the other thread can free one in the middle of its native call
    /// (README, platform notes; seen once in a 2000-step run under heavy load). Alone, the race cannot happen, so nothing
    /// is retried then; under `mmi`, parallel runs go to worker processes instead (<see cref="RunWorker"/>).
    /// </summary>
    internal static RunRecord ExecuteRetryingNativeRace(Func<RunRecord> execute, bool threaded, string name, Action<string>? retried)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return execute();
            }
            catch (ExternalException e) when (threaded && attempt < 3)
            {
                retried?.Invoke($"{name}: libtorch error in a threaded run ({e.Message.Split('\n')[0].Trim()}); training it again (attempt {attempt + 1} of 3)");
            }
        }
    }

    /// <summary>Every run of <paramref name="results"/> (other experiments than <paramref name="experimentId"/>, known to
    /// the catalog) by fingerprint; a reused run keeps pointing at the run that was trained.</summary>
    private static Dictionary<string, RunRecord> ReusableRuns(IEnumerable<ExperimentResult> results, string experimentId)
    {
        var runs = new Dictionary<string, RunRecord>();
        foreach (var result in results.Where(r => r.Id != experimentId))
        {
            var source = AblationCatalog.All.FirstOrDefault(e => e.Id == result.Id);
            if (source is null) continue;
            foreach (var (run, scored) in result.Runs.Select(r => (r, true)).Concat(result.TuningRuns.Select(r => (r, false))))
            {
                var variant = source.Variants.FirstOrDefault(v => v.Name == run.Variant);
                if (variant is null) continue;
                if (run.LearningRate is not null) variant = variant with { LearningRate = run.LearningRate };
                runs.TryAdd(AblationRun.Fingerprint(variant, result.Settings, run.Seed, source.Training, scored),
                    run with { ReusedFrom = run.ReusedFrom ?? $"{result.Id}/{run.Variant}" });
            }
        }
        return runs;
    }

    /// <summary>Summaries, equal-time accuracies and verdicts from finished runs.</summary>
    public static ExperimentResult Summarise(AblationExperiment experiment, ExperimentSettings settings, IReadOnlyList<RunRecord> runs, string command)
    {
        var byVariant = experiment.Variants.Select(v => (Variant: v, Runs: runs.Where(r => r.Variant == v.Name).ToList())).Where(x => x.Runs.Count > 0).ToList();
        double equalTime = byVariant.Min(x => x.Runs.Average(r => r.TrainSeconds));
        var metricNames = runs.SelectMany(r => r.Metrics.Keys).Distinct().ToList();
        var summary = byVariant.Select(x => new VariantSummary(x.Variant.Name, x.Variant.Label,
            metricNames.ToDictionary(m => m, m => MetricSummary.Of(x.Runs.Select(r => r.Metrics.TryGetValue(m, out var v) ? v : double.NaN))),
            MetricSummary.Of(x.Runs.Select(r => AccuracyAt(r.Curve, equalTime))),
            MetricSummary.Of(x.Runs.Select(r => r.TrainSeconds)), MetricSummary.Of(x.Runs.Select(r => r.TokensPerSecond)),
            x.Runs[0].Parameters, x.Variant.NumImageTokens ?? 0) { LearningRate = x.Runs[0].LearningRate }).ToList();

        // each comparison is tested paired by seed on every deciding metric it has, Holm-corrected across those metrics
        var verdicts = new List<ComparisonVerdict>();
        IReadOnlyDictionary<long, double> PerSeed(string variant, string metric) =>
            runs.Where(r => r.Variant == variant).ToDictionary(r => r.Seed, r => r.Metrics.TryGetValue(metric, out var v) ? v : double.NaN);
        foreach (var (better, worse) in experiment.Comparisons)
        {
            if (!summary.Any(s => s.Variant == better) || !summary.Any(s => s.Variant == worse)) continue;
            verdicts.AddRange(ComparisonVerdict.Holm([.. DecidingMetrics.Where(metricNames.Contains)
                .Select(metric => ComparisonVerdict.Paired(better, worse, metric, PerSeed(better, metric), PerSeed(worse, metric)))]));
        }
        var (verdict, reason) = Overall(verdicts, settings);
        return new ExperimentResult(experiment.Id, experiment.Title, experiment.Claim, command, DateTime.UtcNow,
            $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores", settings, runs, summary, equalTime, verdicts, verdict, reason, experiment.Paper);
    }

    /// <summary><paramref name="result"/> summarised again from its stored runs with the current statistics (its when, where
    /// and command kept): how a committed result reads under a corrected verdict rule without retraining anything.</summary>
    public static ExperimentResult Reanalyse(ExperimentResult result)
    {
        var experiment = AblationCatalog.All.FirstOrDefault(e => e.Id == result.Id)
            ?? throw new ArgumentException($"{result.Id}.json: no comprehension experiment of that id to re-analyse; they are {string.Join(", ", AblationCatalog.All.Select(e => e.Id))}.");
        return Summarise(experiment, result.Settings, result.Runs, result.Command) with { FinishedUtc = result.FinishedUtc, Machine = result.Machine, TuningRuns = result.TuningRuns };
    }

    /// <summary>Accuracy of a learning curve at <paramref name="seconds"/> of training (linear between points; the last
    /// point beyond the curve's end, the first before its start).</summary>
    public static double AccuracyAt(IReadOnlyList<CurvePoint> curve, double seconds)
    {
        if (curve.Count == 0) return double.NaN;
        if (seconds <= curve[0].TrainSeconds) return curve[0].Accuracy;
        for (int i = 1; i < curve.Count; i++)
            if (seconds <= curve[i].TrainSeconds)
            {
                var (p, q) = (curve[i - 1], curve[i]);
                double t = (seconds - p.TrainSeconds) / Math.Max(1e-9, q.TrainSeconds - p.TrainSeconds);
                return p.Accuracy + t * (q.Accuracy - p.Accuracy);
            }
        return curve[^1].Accuracy;
    }

    /// <summary>The metrics a comparison is decided on (those a result has): the paper's caption, OK-VQA-like, TextVQA-like
    /// and multi-image columns.</summary>
    public static readonly IReadOnlyList<string> DecidingMetrics = [AblationMetrics.Caption, AblationMetrics.Attributes, AblationMetrics.Reading, AblationMetrics.MultiImage];

    private static (string Verdict, string Reason) Overall(IReadOnlyList<ComparisonVerdict> verdicts, ExperimentSettings settings)
    {
        if (settings.Quick) return ("inconclusive", "quick mode: a few steps of the tiny preset measure nothing; the verdict needs the full run.");
        if (settings.Seeds.Count < 2) return ("inconclusive", "one seed gives no spread to judge differences against.");
        string test = $"By {ComparisonVerdict.ShortTest}: ";
        var contradicted = verdicts.Where(v => v.Verdict == "not reproduced").ToList();
        if (contradicted.Count > 0)
            return ("not reproduced", test + "significantly opposite to the paper: " + string.Join("; ", contradicted.Select(Describe)));
        var pairs = verdicts.GroupBy(v => (v.Better, v.Worse)).ToList();
        if (pairs.Count > 0 && pairs.All(g => g.Any(v => v.Verdict == "reproduced")))
            return ("reproduced", test + "every comparison goes the paper's way significantly on at least one metric: " +
                string.Join("; ", verdicts.Where(v => v.Verdict == "reproduced").Select(Describe)));
        return ("inconclusive", test + "no significant difference for: " +
            string.Join("; ", pairs.Where(g => g.All(v => v.Verdict != "reproduced")).Select(g => $"{g.Key.Better} vs {g.Key.Worse}")));
    }

    private static string Describe(ComparisonVerdict v) => $"{v.Better} vs {v.Worse} on {v.Metric}: {v.Evidence()}";
}
