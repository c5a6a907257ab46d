using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Evaluation;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Training;
using static TorchSharp.torch;

namespace MMInterleaved.Experiments;

/// <summary>
/// Runs a generation experiment's arms × seeds: each run trains as `mmi train` does (the experiment's task and grid, the
/// settings' recipe) and is scored on the Test split as `mmi eval` does; then per arm the mean and SD over seeds, the
/// one-sided paired seed test of the deciding metric and a verdict. Under `mmi` the runs go to `mmi train` / `mmi eval`
/// worker processes, <see cref="GenerationSettings.Parallelism"/> at once with one thread each (one at a time too: only
/// the workers continue an interrupted run from its checkpoint); elsewhere (notebooks, tests, quick mode) they run in
/// this process, one after another.
/// </summary>
public static class GenerationRunner
{
    /// <summary>Runs <paramref name="experiment"/>; <paramref name="log"/> hears a line per finished run.</summary>
    public static GenerationResult Run(GenerationExperiment experiment, GenerationSettings settings, string command = "", Action<string>? log = null)
    {
        // seed by seed, every arm of a seed before the next seed, so an experiment stopped part-way (a session's time
        // runs out) has paired seeds to compare rather than one arm's seeds
        var jobs = settings.Seeds.SelectMany(s => experiment.Arms.Select(a => (Arm: a, Seed: s))).ToList();
        bool inProcesses = UsesWorkers(settings, RunWorker.Launcher is not null);
        var records = new List<GenerationRunRecord>();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = inProcesses ? settings.Parallelism : 1 }, job =>
        {
            string folder = Path.Combine(settings.RunsFolder, experiment.Id, $"{job.Arm.Name}-seed{job.Seed}");
            // a finished run is kept only when it was trained and scored as this one would be (steps, config, scoring)
            var record = settings.Resume && File.Exists(ScoredFile(folder)) && File.ReadAllText(ScoredFile(folder)) == Scored(experiment, job.Arm, job.Seed, settings, folder)
                ? Finished(job.Arm, job.Seed, folder) : null;
            record ??= inProcesses ? InWorkers(experiment, job.Arm, job.Seed, settings, folder) : InProcess(experiment, job.Arm, job.Seed, settings, folder);
            lock (records)
            {
                records.Add(record);
                log?.Invoke(FormattableString.Invariant($"  [{records.Count}/{jobs.Count}] {job.Arm.Name} seed {job.Seed}: {experiment.Metric} {record.Metrics.GetValueOrDefault(experiment.Metric, double.NaN):0.###} ({record.TrainSeconds / 60:0.#} min)"));
            }
        });
        var ordered = (from arm in experiment.Arms from seed in settings.Seeds
                       select records.Single(r => r.Arm == arm.Name && r.Seed == seed)).ToList();
        return Summarise(experiment, settings, ordered, command);
    }

    /// <summary>The finished runs of <paramref name="experiment"/> recorded in <paramref name="runsFolder"/> (its
    /// <c>{arm}-seed{s}</c> folders with their <c>.scored</c> records beside them, as `mmi reproduce` leaves them and
    /// <c>results/{id}/runs/</c> commits them), in arm and seed order; how they were made is not compared here (that is
    /// --resume's business), so a notebook shows what was committed.</summary>
    public static IReadOnlyList<GenerationRunRecord> FinishedRuns(GenerationExperiment experiment, string runsFolder, IEnumerable<long> seeds) =>
        [.. from arm in experiment.Arms
            from seed in seeds
            let folder = Path.Combine(runsFolder, $"{arm.Name}-seed{seed}")
            where File.Exists(ScoredFile(folder))
            let record = Finished(arm, seed, folder)
            where record is not null
            select record];

    /// <summary>What the runs finished so far show while the rest train: their per-arm summaries, no test and the
    /// verdict "in progress" (a notebook's view of an experiment that is not committed yet).</summary>
    public static GenerationResult InProgress(GenerationExperiment experiment, GenerationSettings settings, IReadOnlyList<GenerationRunRecord> runs, string command) =>
        Summarise(experiment, settings, runs, command) with
        {
            Test = null, Verdict = InProgressVerdict,
            Reason = $"{runs.Count} of {experiment.Arms.Count * settings.Seeds.Count} runs finished; the verdict waits for all of them.",
        };

    /// <summary>The verdict of <see cref="InProgress"/>.</summary>
    public const string InProgressVerdict = "in progress";

    /// <summary>Whether runs go to worker processes: under `mmi` and not in quick mode, whatever the parallelism, since
    /// an in-process run starts over where a worker would resume it.</summary>
    internal static bool UsesWorkers(GenerationSettings settings, bool underMmi) => !settings.IsQuick && underMmi;

    /// <summary>Per-arm summaries, the paired seed test and the verdict from finished runs.</summary>
    public static GenerationResult Summarise(GenerationExperiment experiment, GenerationSettings settings, IReadOnlyList<GenerationRunRecord> runs, string command)
    {
        var summary = experiment.Arms.Where(a => runs.Any(r => r.Arm == a.Name)).ToDictionary(a => a.Name, a =>
        {
            var mine = runs.Where(r => r.Arm == a.Name).ToList();
            return (IReadOnlyDictionary<string, MetricSummary>)mine.SelectMany(r => r.Metrics.Keys).Distinct()
                .ToDictionary(m => m, m => MetricSummary.Of(mine.Select(r => r.Metrics.GetValueOrDefault(m, double.NaN))));
        });
        var seeds = settings.Seeds.Where(s => runs.Any(r => r.Arm == experiment.Better && r.Seed == s) && runs.Any(r => r.Arm == experiment.Worse && r.Seed == s)).ToList();
        double Value(string arm, long seed) => runs.Single(r => r.Arm == arm && r.Seed == seed).Metrics.GetValueOrDefault(experiment.Metric, double.NaN);
        PairedSeedTest? test = seeds.Count >= 2 ? PairedSeedTest.Of(seeds.Select(s => Value(experiment.Better, s)).ToList(), seeds.Select(s => Value(experiment.Worse, s)).ToList()) : null;
        var (verdict, reason) = settings.IsQuick ? ("inconclusive", "quick mode: a few steps of the tiny preset measure nothing; the verdict needs the full run.")
            : test is null ? ("inconclusive", "fewer than two paired seeds: no spread to test against.")
            : test.NoSpread ? ("inconclusive", $"{experiment.Better} against {experiment.Worse} on {experiment.Metric}: {test}; more seeds or a finer metric are needed.")
            : double.IsNaN(test.OneSidedP) ? ("inconclusive", "the metric is missing from some runs.")
            : test.OneSidedP < 0.05 ? ("reproduced", $"{experiment.Better} beats {experiment.Worse} on {experiment.Metric}: {test}.")
            : test.MeanDifference <= 0 ? ("not reproduced", $"{experiment.Better} does not beat {experiment.Worse} on {experiment.Metric}: {test}.")
            : ("inconclusive", $"{experiment.Better} is ahead on {experiment.Metric} but not significantly at this seed count: {test}.");
        return new GenerationResult(experiment.Id, experiment.Title, experiment.Claim, command, DateTime.UtcNow,
            $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores", settings, runs, summary,
            experiment.Metric, experiment.Better, experiment.Worse, test, verdict, reason, experiment.Paper) { Columns = experiment.Columns };
    }

    /// <summary>
    /// A saved result summarised again from its runs by the current code (summaries, paired test, verdict and its
    /// wording, columns, the paper's numbers), keeping when and where it ran; what `--reports-only` writes.
    /// </summary>
    public static GenerationResult Resummarise(GenerationResult saved)
    {
        var experiment = GenerationCatalog.All.FirstOrDefault(e => e.Id == saved.Id)
            ?? throw new ArgumentException($"{saved.Id}.json: no generation experiment has the id {saved.Id}; known: {string.Join(", ", GenerationCatalog.All.Select(e => e.Id))}.");
        return Summarise(experiment, saved.Settings, saved.Runs, saved.Command) with { Date = saved.Date, Machine = saved.Machine };
    }

    /// <summary>Writes <c>{id}.json</c> and <c>{id}.md</c> (the table: per arm mean ± SD over seeds, the paper's value,
    /// the test and verdict) into <paramref name="folder"/>.</summary>
    public static void Write(GenerationResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        ResultFile.Save(result, Path.Combine(folder, result.Id + ".json"));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, result.Id + ".md"), GenerationReport.Markdown(result));
    }

    private const string ScoresFile = "test_scores.json";

    private static TrainingArgs Args(GenerationExperiment experiment, GenerationSettings settings, long seed) => new()
    {
        Model = settings.Preset, Task = experiment.Task, GridSide = experiment.GridSide, BatchSize = settings.BatchSize, Seed = seed, EvalExamples = 0,
        Optimization = new TrainingConfig
        {
            Steps = settings.Steps, WarmupSteps = settings.WarmupSteps, CheckpointEvery = settings.IsQuick ? 0 : 100,
            Groups = TrainingConfig.MmfsGroups(TrainingConfig.DefaultGateScale, TrainingConfig.DefaultOffsetScale, settings.UNetScale),
        },
    };

    private static ModelConfig Config(GenerationExperiment experiment, GenerationArm arm, GenerationSettings settings, long seed) =>
        arm.Configure(TrainingRun.WithImageDecoderFor(Args(experiment, settings, seed), ModelPresets.Resolve(settings.Preset))).Validated();

    // A run whose folder holds its Test scores (written last) is finished.
    private static GenerationRunRecord? Finished(GenerationArm arm, long seed, string folder)
    {
        string scores = Path.Combine(folder, ScoresFile);
        if (!File.Exists(scores)) return null;
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores), ResultFile.Json)!;
        if (MeanLogged(folder, "image_targets") is double targets) metrics[TrainImageTargets] = targets;
        return new GenerationRunRecord(arm.Name, seed, metrics, TrainSeconds(folder), folder);
    }

    /// <summary>The key of a run's mean number of images with a diffusion loss per training step (from its training log),
    /// kept beside its scores: what a mixture really gave the image decoder to learn from.</summary>
    public const string TrainImageTargets = "train.image_targets";

    /// <summary>The mean over the logged steps of the training log's extra value <paramref name="key"/> (each logged step
    /// samples its last micro-batch), or null when the log has none (runs trained before it was logged).</summary>
    internal static double? MeanLogged(string folder, string key)
    {
        var values = Logged(Path.Combine(folder, "metrics.jsonl"), key);
        return values.Count == 0 ? null : values.Average(v => v.Value);
    }

    /// <summary>The logged steps of a training log (<c>metrics.jsonl</c>) that record the extra value <paramref name="key"/>,
    /// with that value; none when the file is absent.</summary>
    internal static IReadOnlyList<(int Step, double Value)> Logged(string log, string key)
    {
        if (!File.Exists(log)) return [];
        var values = new List<(int, double)>();
        foreach (string line in File.ReadLines(log).Where(l => l.Contains($"\"{key}\"", StringComparison.Ordinal)))
        {
            var entry = JsonDocument.Parse(line).RootElement;
            if (entry.TryGetProperty("extra", out var extra) && extra.TryGetProperty(key, out var value))
                values.Add((entry.GetProperty("step").GetInt32(), value.GetDouble()));
        }
        return values;
    }

    private static double TrainSeconds(string folder)
    {
        string log = Path.Combine(folder, "metrics.jsonl");
        if (!File.Exists(log)) return double.NaN;
        var last = File.ReadLines(log).LastOrDefault(l => l.Contains("\"elapsed_s\"", StringComparison.Ordinal));
        return last is null ? double.NaN : JsonDocument.Parse(last).RootElement.GetProperty("elapsed_s").GetDouble();
    }

    private static GenerationRunRecord InProcess(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder)
    {
        Begin(experiment, arm, seed, settings, folder);   // the same records as a worker's run, so a worker can resume it
        var args = Args(experiment, settings, seed);
        var run = TrainingRun.Create(folder, args, Config(experiment, arm, settings, seed));
        run.Run();
        var pipeline = MMInterleavedPipeline.FromPretrained(folder);
        var (_, test) = TrainingRun.OpenSources(args, pipeline.Config.Vision.ImageSize, DataSplit.Test);
        var segmenterOptions = settings.SegmenterSteps is int steps ? new SegmenterTrainingOptions(Steps: steps, BatchSize: 4, Width: 8) : null;
        var evaluator = new TaskEvaluator(pipeline)
        {
            Segmenter = new(() => test is Data.Tasks.GridTask { Sampler: GlyphSceneSampler glyphs }
                ? GlyphSegmenter.ForSampler(glyphs, settings.IsQuick ? Path.Combine(settings.RunsFolder, "segmenters") : GlyphSegmenter.DefaultCacheFolder, segmenterOptions) : null),
        };
        var sampling = TaskEvaluator.DefaultImageSampling with { Steps = settings.SamplingSteps };
        var queries = test.Take(settings.TestPrompts).ToList();
        ITaskEvaluation scores = TaskEvaluator.MetricOf(queries) switch
        {
            TaskMetric.Segmentation => evaluator.EvaluateSegmentation(queries, evaluator.Segmenter.Value!, sampling),
            TaskMetric.Story => evaluator.EvaluateStory(queries, false, sampling),
            _ => evaluator.EvaluateImages(queries, sampling, experiment.CellKinds),
        };
        scores.Write(Path.Combine(folder, "test"));
        var metrics = new Dictionary<string, double>(scores.Metrics);
        if (experiment.AlsoAllFrames)
        {
            var allFrames = evaluator.EvaluateStory(queries, true, sampling);
            allFrames.Write(Path.Combine(folder, "test-all-frames"));
            foreach (var (name, value) in allFrames.Metrics) metrics[GenerationExperiment.AllFramesPrefix + name] = value;
        }
        foreach (string task in experiment.AlsoScored)
        {
            // a comprehension task's Test split, zero-shot, as `mmi eval --task` scores it
            var (_, held) = TrainingRun.OpenSources(args with { Task = task }, pipeline.Config.Vision.ImageSize, DataSplit.Test);
            var other = evaluator.Evaluate(held.Take(settings.ComprehensionExamples).ToList());
            other.Write(Path.Combine(folder, "test-" + task));
            foreach (var (name, value) in other.Metrics) metrics[GenerationExperiment.ScoreKey(task, name)] = value;
        }
        return MarkFinished(experiment, arm, seed, settings, folder, metrics);
    }

    /// <summary>How far an earlier attempt at a run got (an interrupted session): nothing usable, checkpoints to continue
    /// from, or trained to the end (only the scoring left).</summary>
    internal enum Progress { None, Checkpointed, Trained }

    /// <summary>What <paramref name="folder"/> holds of the run whose `mmi train` arguments and config are
    /// <paramref name="fingerprint"/>: anything made with other arguments or another config counts as nothing.</summary>
    internal static Progress ProgressOf(string folder, string fingerprint)
    {
        string file = FingerprintFile(folder);
        if (!Directory.Exists(folder) || !File.Exists(file) || File.ReadAllText(file) != fingerprint) return Progress.None;
        if (File.Exists(Path.Combine(folder, ModelCheckpoint.WeightsFile))) return Progress.Trained;   // written when training ends
        return new CheckpointStore(folder).Latest is not null ? Progress.Checkpointed : Progress.None;
    }

    /// <summary>The `mmi train` arguments and config of a run, as <see cref="ProgressOf"/> compares them.</summary>
    /// The runs folder's absolute path is written as <c>{runs}</c>, so committed records restore in any checkout.
    internal static string Fingerprint(IEnumerable<string> trainArguments, string config, string? runsFolder = null)
    {
        string text = string.Join("\n", trainArguments) + "\n" + config;
        return runsFolder is null ? text : text.Replace(Path.GetFullPath(runsFolder), "{runs}", StringComparison.Ordinal);
    }

    private static string FingerprintFile(string folder) => Path.GetFullPath(folder) + ".fingerprint";

    // The `mmi train` command of a run (its config is written beside the folder) and the config it trains. Paths are
    // absolute, so the runs folder named relatively (`mmi` from the checkout, a notebook from notebooks/) or absolutely
    // gives the same fingerprint.
    internal static (string[] Train, string ConfigJson) TrainCommand(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder)
    {
        string config = Path.GetFullPath(folder) + ".config.json";
        string I(double x) => x.ToString(CultureInfo.InvariantCulture);
        return (["train", "--preset", config, "--task", experiment.Task, "--grid", I(experiment.GridSide), "--steps", I(settings.Steps),
            "--batch-size", I(settings.BatchSize), "--warmup", I(settings.WarmupSteps), "--checkpoint-every", "100", "--eval-examples", "0",
            "--unet-lr-scale", I(settings.UNetScale), "--seed", I(seed), "--threads", "1", "--out", Path.GetFullPath(folder)], Config(experiment, arm, settings, seed).ToJson());
    }

    /// <summary>What a finished run records of how it was made: its training fingerprint and how it was scored.</summary>
    private static string Scored(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder)
    {
        var (train, configJson) = TrainCommand(experiment, arm, seed, settings, folder);
        return Fingerprint(train, configJson, settings.RunsFolder) + FormattableString.Invariant(
            $"\nscored: {settings.TestPrompts} prompts, {settings.SamplingSteps} sampling steps, {settings.ComprehensionExamples} comprehension examples, also [{string.Join(", ", experiment.AlsoScored)}], all frames {experiment.AlsoAllFrames}, cell kinds {experiment.CellKinds}");
    }

    private static string ScoredFile(string folder) => Path.GetFullPath(folder) + ".scored";

    // The scores file and its record of how the run was made are written last: together they mark the run finished (--resume).
    private static GenerationRunRecord MarkFinished(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder, Dictionary<string, double> metrics)
    {
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, ScoresFile), JsonSerializer.Serialize(metrics, ResultFile.Json));
        Runtime.AtomicFile.WriteAllText(ScoredFile(folder), Scored(experiment, arm, seed, settings, folder));
        return Finished(arm, seed, folder)!;
    }

    // A fresh start of a run: whatever an earlier attempt left goes, and the run's config and fingerprint are written
    // beside its folder (what --resume compares before continuing it from a checkpoint).
    private static void Begin(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(folder))!);
        var (train, configJson) = TrainCommand(experiment, arm, seed, settings, folder);
        Runtime.AtomicFile.WriteAllText(Path.GetFullPath(folder) + ".config.json", configJson);
        Runtime.AtomicFile.WriteAllText(FingerprintFile(folder), Fingerprint(train, configJson, settings.RunsFolder));
    }

    private static GenerationRunRecord InWorkers(GenerationExperiment experiment, GenerationArm arm, long seed, GenerationSettings settings, string folder)
    {
        var (train, configJson) = TrainCommand(experiment, arm, seed, settings, folder);
        string I(double x) => x.ToString(CultureInfo.InvariantCulture);
        string fingerprint = Fingerprint(train, configJson, settings.RunsFolder);
        // an interrupted earlier attempt at the same run goes on from its last checkpoint (training resumes exactly)
        switch (settings.Resume ? ProgressOf(folder, fingerprint) : Progress.None)
        {
            case Progress.Trained:
                break;
            case Progress.Checkpointed:
                RunWorker.Start(RunWorker.Launcher!.Value, ["train", "--resume", folder, "--threads", "1"], folder + ".train-resumed.log", $"{arm.Name} seed {seed}, training (resumed)");
                break;
            default:
                Begin(experiment, arm, seed, settings, folder);
                RunWorker.Start(RunWorker.Launcher!.Value, train, folder + ".train.log", $"{arm.Name} seed {seed}, training");
                break;
        }
        string scores = Path.Combine(folder, ScoresFile + ".tmp");
        RunWorker.Start(RunWorker.Launcher!.Value, ["eval", "--run", folder, "--split", "Test", "--examples", I(settings.TestPrompts), "--sampling-steps", I(settings.SamplingSteps),
            "--threads", "1", "--out", Path.Combine(folder, "test"), "--json", scores, .. (experiment.CellKinds ? ["--cell-kinds"] : Array.Empty<string>())],
            folder + ".eval.log", $"{arm.Name} seed {seed}, evaluation");
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores), ResultFile.Json)!;
        if (experiment.AlsoAllFrames)
        {
            string part = Path.Combine(folder, "test-all-frames.json");
            RunWorker.Start(RunWorker.Launcher!.Value, ["eval", "--run", folder, "--split", "Test", "--examples", I(settings.TestPrompts), "--sampling-steps", I(settings.SamplingSteps),
                "--story-frames", "all", "--threads", "1", "--out", Path.Combine(folder, "test-all-frames"), "--json", part], folder + ".eval-all-frames.log", $"{arm.Name} seed {seed}, every frame");
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(part), ResultFile.Json)!)
                metrics[GenerationExperiment.AllFramesPrefix + name] = value;
        }
        foreach (string task in experiment.AlsoScored)
        {
            string part = Path.Combine(folder, $"test-{task}.json");
            RunWorker.Start(RunWorker.Launcher!.Value, ["eval", "--run", folder, "--task", task, "--split", "Test", "--examples", I(settings.ComprehensionExamples),
                "--threads", "1", "--out", Path.Combine(folder, "test-" + task), "--json", part], folder + $".eval-{task}.log", $"{arm.Name} seed {seed}, {task}");
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(part), ResultFile.Json)!)
                metrics[GenerationExperiment.ScoreKey(task, name)] = value;
        }
        File.Delete(scores);
        return MarkFinished(experiment, arm, seed, settings, folder, metrics);
    }
}
