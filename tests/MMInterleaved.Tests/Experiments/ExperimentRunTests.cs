using MMInterleaved.Data.Tasks;
using MMInterleaved.Model;
using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

[Collection(TorchCollection.Name)]
public sealed class ExperimentRunTests
{
    [Fact]
    public void Runs_trained_in_parallel_threads_equal_the_same_run_trained_alone()
    {
        using var folder = new TempFolder();
        var variant = AblationCatalog.TokenEfficiency.Variant("mmfs-8");
        var twin = variant with { Name = "twin" };
        var experiment = AblationCatalog.TokenEfficiency with { Variants = [variant, twin], Comparisons = [] };
        var settings = ExperimentSettings.QuickSettings with { Seeds = [3], Parallelism = 2, OutFolder = folder.Path };
        var parallel = ExperimentRunner.Run(experiment, settings);
        RunRecord alone;
        using (new SingleThread())   // the runner gives each parallel run one intra-op thread; alone, it gets the same
            alone = AblationRun.Execute(variant, 3, settings with { Parallelism = 1 }, folder.File("alone"));
        Assert.Equal(2, parallel.Runs.Count);
        foreach (var run in parallel.Runs)
        {
            Assert.Equal(alone.Metrics, run.Metrics);
            Assert.Equal(alone.Curve.Select(p => p.Accuracy), run.Curve.Select(p => p.Accuracy));
        }
        // the losses of the runs' logs agree too (stronger than accuracies of an untrained tiny model)
        string Losses(string path) => string.Join(",", File.ReadLines(path).Where(l => l.Contains("\"loss\"")).Select(l => l.Split("\"loss\":")[1].Split(',')[0]));
        string logAlone = Losses(folder.File(Path.Combine("alone", "metrics.jsonl")));
        Assert.NotEmpty(logAlone);
        foreach (var name in new[] { "mmfs-8-seed3", "twin-seed3" })
            Assert.Equal(logAlone, Losses(Path.Combine(folder.Path, "runs", experiment.Id, name, "metrics.jsonl")));
    }

    [Fact]
    public void Runs_trained_in_worker_processes_equal_the_same_runs_in_threads_and_a_failed_worker_is_named()
    {
        using var folder = new TempFolder();
        var experiment = AblationCatalog.TokenEfficiency;
        var settings = ExperimentSettings.QuickSettings with { Seeds = [3], Parallelism = 2, OutFolder = folder.Path, RunsFolder = folder.File("threads") };
        var threads = ExperimentRunner.Run(experiment, settings);
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "") == "dotnet" ? Environment.ProcessPath! : "dotnet";
        RunWorker.Launcher = (host, [Path.Combine(AppContext.BaseDirectory, "mmi.dll")]);
        try
        {
            Assert.True(RunWorker.CanRun(experiment));
            Assert.False(RunWorker.CanRun(experiment with { Variants = [experiment.Variants[0] with { Name = "custom" }] }));
            var workers = ExperimentRunner.Run(experiment, settings with { RunsFolder = folder.File("workers") });
            Assert.Equal(threads.Runs.Select(r => (r.Variant, r.Seed, r.Steps)), workers.Runs.Select(r => (r.Variant, r.Seed, r.Steps)));
            foreach (var (a, b) in threads.Runs.Zip(workers.Runs))
            {
                Assert.Equal(a.Metrics, b.Metrics);
                Assert.Equal(a.Curve.Select(p => p.Accuracy), b.Curve.Select(p => p.Accuracy));
            }
            string run = Path.Combine(folder.File("workers"), experiment.Id, "mmfs-8-seed3");
            Assert.True(File.Exists(run + "." + RunWorker.LogFile));
            Assert.True(File.Exists(Path.Combine(run, AblationRun.FinishedFile)));

            // a worker that cannot train names the run, its exit code and its log
            var bad = new RunWorkerSpec(experiment.Id, "mmfs-8", 3, settings with { Preset = "no-such-preset" }, folder.File("bad"));
            var e = Assert.Throws<InvalidOperationException>(() => RunWorker.Run(bad, experiment));
            Assert.Contains("mmfs-8 seed 3: the worker process failed (exit 2)", e.Message);
            Assert.Contains("no-such-preset", e.Message);
        }
        finally
        {
            RunWorker.Launcher = null;
        }
    }

    [Fact]
    public void A_run_identical_to_another_experiments_run_is_reused_and_marked_and_nothing_else_is()
    {
        using var folder = new TempFolder();
        var settings = ExperimentSettings.QuickSettings with { Seeds = [0], Parallelism = 1, OutFolder = folder.Path };
        var mmfs8 = AblationCatalog.TokenEfficiency.Variant("mmfs-8");
        var deformable = AblationCatalog.CrossAttentionKinds.Variant("deformable");
        var both = AblationCatalog.Complementary.Variant("both");
        // the shared baseline row: the same config under several names (the small preset has the 8 tokens of "mmfs-8"; tiny has 4)
        Assert.Equal(AblationRun.Fingerprint(mmfs8, ExperimentSettings.Full, 0), AblationRun.Fingerprint(deformable, ExperimentSettings.Full, 0));
        Assert.Equal(AblationRun.Fingerprint(both, settings, 0), AblationRun.Fingerprint(deformable, settings, 0));
        // the task is part of it, and naming the default task changes nothing
        Assert.Equal(AblationRun.Fingerprint(both, settings, 0), AblationRun.Fingerprint(both, settings, 0, new AblationTraining(AblationExperiment.VqaTask)));
        Assert.NotEqual(AblationRun.Fingerprint(both, settings, 0), AblationRun.Fingerprint(both, settings, 0, new AblationTraining(AblationExperiment.CaptionTask)));
        // anything that changes the outcome changes the fingerprint
        foreach (var other in new[]
        {
            AblationRun.Fingerprint(mmfs8, settings, 0),
            AblationRun.Fingerprint(both, settings, 1),
            AblationRun.Fingerprint(both, settings, 0, new AblationTraining(MultiImage: true)),
            AblationRun.Fingerprint(both, settings, 0, new AblationTraining(FewShotShots: 2)),
            AblationRun.Fingerprint(both, settings with { Steps = 7 }, 0),
            AblationRun.Fingerprint(both, settings with { TestQuestions = 25 }, 0),
            AblationRun.Fingerprint(both, settings with { EncoderObjective = MMInterleaved.Training.EncoderObjective.IsolatedGlyphs }, 0),
            AblationRun.Fingerprint(both, settings with { DataRevision = 1 }, 0),   // a run on older data is never reused
        })
            Assert.NotEqual(AblationRun.Fingerprint(deformable, settings, 0), other);

        // an earlier resampler-and-mmfs result whose numbers no training would give, so reuse is visible
        var earlierRun = new RunRecord("both", 0, 6, 1.5, 100, 1234,
            new Dictionary<string, double> { [AblationMetrics.Attributes] = 12.5, [AblationMetrics.Reading] = 87.5, [AblationMetrics.Overall] = 42.25 },
            [new CurvePoint(3, 0.5, 11), new CurvePoint(6, 1.5, 42.25)]);
        var earlier = ExperimentRunner.Summarise(AblationCatalog.Complementary, settings, [earlierRun], "test");
        var stale = ExperimentRunner.Summarise(AblationCatalog.Complementary, settings with { Steps = 7 },
            [earlierRun with { Metrics = new Dictionary<string, double> { [AblationMetrics.Overall] = 99 } }], "test");

        var experiment = AblationCatalog.CrossAttentionKinds with { Variants = [deformable, AblationCatalog.CrossAttentionKinds.Variant("dense-tokens")] };
        var result = ExperimentRunner.Run(experiment, settings, "test", reusable: [stale, earlier]);

        var reused = Assert.Single(result.Runs, r => r.Variant == "deformable");
        Assert.Equal("resampler-and-mmfs/both", reused.ReusedFrom);
        Assert.Equal(earlierRun.Metrics, reused.Metrics);
        Assert.Equal(earlierRun.TrainSeconds, reused.TrainSeconds);
        var trained = Assert.Single(result.Runs, r => r.Variant == "dense-tokens");
        Assert.Null(trained.ReusedFrom);
        Assert.Equal(settings.Steps, trained.Steps);
        Assert.Contains("`deformable` is `resampler-and-mmfs/both`", ExperimentReport.Markdown(result));

        // an experiment's own earlier result is never reused (re-running it trains again)
        var own = ExperimentRunner.Summarise(experiment, settings, [earlierRun with { Variant = "deformable" }], "test");
        var again = ExperimentRunner.Run(experiment with { Variants = [deformable] }, settings, "test", reusable: [own]);
        Assert.Null(Assert.Single(again.Runs).ReusedFrom);
    }

    [Fact]
    public void Table_8_trains_longer_so_its_single_image_rows_match_the_other_experiments()
    {
        var full = ExperimentSettings.Full;
        Assert.Equal(full.Steps, AblationCatalog.TokenEfficiency.SettingsFor(full).Steps);
        var table8 = AblationCatalog.ScalesAndImages.SettingsFor(full);
        Assert.Equal(3 * full.Steps / 2, table8.Steps);
        // one row in three is a one-question multi-image document: 1.5× the steps gives the same rows about the latest image
        Assert.Equal(full.Steps, table8.Steps * 2 / 3);
        Assert.Equal(full with { Steps = table8.Steps }, table8);                       // nothing else changes
        var variant = AblationCatalog.ScalesAndImages.Variants[2];
        Assert.NotEqual(AblationRun.Fingerprint(variant, full, 0), AblationRun.Fingerprint(variant, table8, 0));
    }

    [Fact]
    public void With_resume_a_finished_run_of_the_same_fingerprint_is_kept_and_anything_else_trains_again()
    {
        using var folder = new TempFolder();
        var variant = AblationCatalog.Complementary.Variant("both");
        var experiment = AblationCatalog.Complementary with { Variants = [variant], Comparisons = [] };
        var settings = ExperimentSettings.QuickSettings with { Seeds = [0], Parallelism = 1, OutFolder = folder.Path };
        var result = ExperimentRunner.Run(experiment, settings);
        var first = Assert.Single(result.Runs);
        // the final numbers are scored on the Test split, and the saved result says so by name
        Assert.Equal(MMInterleaved.Data.DataSplit.Test, result.Split);
        Assert.Contains("\"Split\": \"Test\"", result.ToJson());
        // coarse questions are asked beside the fine ones and scored as their own column
        Assert.InRange(first.Metrics[AblationMetrics.Coarse], 0, 100);
        Assert.Contains(AblationMetrics.Labels[AblationMetrics.Coarse], ExperimentReport.Markdown(result));
        string recordFile = Path.Combine(folder.Path, "runs", experiment.Id, "both-seed0", AblationRun.FinishedFile);
        // mark the finished record so that keeping it is visible
        File.WriteAllText(recordFile, File.ReadAllText(recordFile).Replace($"\"TrainSeconds\": {first.TrainSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", "\"TrainSeconds\": 12345"));

        Assert.Equal(12345, Assert.Single(ExperimentRunner.Run(experiment, settings with { Resume = true }).Runs).TrainSeconds);
        // other settings: a different fingerprint, so it trains (and replaces the record)
        var changed = Assert.Single(ExperimentRunner.Run(experiment, settings with { Resume = true, TestQuestions = 20 }).Runs);
        Assert.NotEqual(12345, changed.TrainSeconds);
        Assert.Null(AblationRun.FinishedRecord(variant, 0, settings, Path.GetDirectoryName(recordFile)!));
        // without resume it always trains
        File.WriteAllText(recordFile, "{ damaged");
        Assert.Null(AblationRun.FinishedRecord(variant, 0, settings, Path.GetDirectoryName(recordFile)!));
        Assert.Equal(first.Metrics, Assert.Single(ExperimentRunner.Run(experiment, settings).Runs).Metrics);
    }

    [Fact]
    public void The_text_only_arm_trains_and_is_scored_on_the_documents_without_their_images()
    {
        using var folder = new TempFolder();
        var textOnly = AblationCatalog.TokenEfficiency.Variant(AblationVariant.TextOnlyName);
        Assert.True(textOnly.TextOnly);
        Assert.All(AblationCatalog.All, e => Assert.Contains(e.Variants, v => v.TextOnly));                 // every experiment has one
        Assert.All(AblationCatalog.All, e => Assert.DoesNotContain(e.Comparisons, c => c.Better == textOnly.Name || c.Worse == textOnly.Name));
        // the generation columns train a comprehension experiment's arms, but not this one: generation needs the images
        Assert.All([GenerationCatalog.TokenEfficiencyGeneration, GenerationCatalog.ComplementaryGeneration], e => Assert.DoesNotContain(e.Arms, a => a.Name == textOnly.Name));
        // the same model as the few-token MMFS arm, other data: another fingerprint
        var mmfs = AblationCatalog.TokenEfficiency.Variant("mmfs-8");
        Assert.Equal(mmfs.Configure(ModelPresets.Resolve("tiny")).ToJson(), textOnly.Configure(ModelPresets.Resolve("tiny")).ToJson());
        Assert.NotEqual(AblationRun.Fingerprint(mmfs, ExperimentSettings.QuickSettings, 0), AblationRun.Fingerprint(textOnly, ExperimentSettings.QuickSettings, 0));
        var source = GridTasks.Create("glyph-vqa");
        var imageless = new MMInterleaved.Data.ImagelessDocumentSource(source);
        var (with, without) = (source.Get(3), imageless.Get(3));
        Assert.NotEmpty(with.Images);
        Assert.Empty(without.Images);
        Assert.Equal(with.Segments.OfType<MMInterleaved.Data.TextSegment>(), without.Segments.OfType<MMInterleaved.Data.TextSegment>());
        Assert.Equal(with.Metadata, without.Metadata);
        var settings = ExperimentSettings.QuickSettings with { Seeds = [0], OutFolder = folder.Path };
        var run = Assert.Single(ExperimentRunner.Run(AblationCatalog.TokenEfficiency with { Variants = [textOnly], Comparisons = [] }, settings).Runs);
        Assert.InRange(run.Metrics[AblationMetrics.Overall], 0, 100);
    }

    [Fact]
    public void The_fingerprint_is_a_hash_of_every_setting_that_can_change_a_run_and_of_nothing_else()
    {
        var variant = AblationCatalog.TokenEfficiency.Variant("mmfs-8");
        var settings = ExperimentSettings.QuickSettings;
        string fingerprint = AblationRun.Fingerprint(variant, settings, 0);
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        string[] ignored = ["OutFolder", "RunsFolder", "Resume", "Parallelism", "Seeds", "LearningRateGrid", "TuningSeed"];
        Assert.Equal(fingerprint, AblationRun.Fingerprint(variant, settings with { OutFolder = "x", RunsFolder = "y", Resume = true, Parallelism = 7, Seeds = [5, 6],
            LearningRateGrid = [1e-4, 1e-3], TuningSeed = 9 }, 0));
        // every other property, found by reflection, changes it: a setting added later is covered without touching this test
        var json = System.Text.Json.JsonSerializer.SerializeToNode(settings)!.AsObject();
        foreach (var property in typeof(ExperimentSettings).GetProperties().Where(p => p.SetMethod is not null && !ignored.Contains(p.Name)))
        {
            var changed = json.DeepClone().AsObject();
            object value = property.GetValue(settings)!;
            changed[property.Name] = value switch
            {
                bool b => !b,
                int n => n + 1,
                double d => d * 2,
                string text => text == "tiny" ? "small" : text + "x",
                MMInterleaved.Data.DataSplit split => (int)(split == MMInterleaved.Data.DataSplit.Test ? MMInterleaved.Data.DataSplit.Validation : MMInterleaved.Data.DataSplit.Test),
                MMInterleaved.Training.EncoderObjective objective => (int)(objective == MMInterleaved.Training.EncoderObjective.CellLabels ? MMInterleaved.Training.EncoderObjective.IsolatedGlyphs : MMInterleaved.Training.EncoderObjective.CellLabels),
                _ => throw new InvalidOperationException($"ExperimentSettings.{property.Name} has a type this test cannot vary; extend it."),
            };
            var other = System.Text.Json.JsonSerializer.Deserialize<ExperimentSettings>(changed)!;
            Assert.True(AblationRun.Fingerprint(variant, other, 0) != fingerprint, property.Name);
        }
        Assert.NotEqual(fingerprint, AblationRun.Fingerprint(variant, settings, 1));
        Assert.NotEqual(fingerprint, AblationRun.Fingerprint(variant, settings, 0, new AblationTraining(FewShotShots: 2)));
        Assert.NotEqual(fingerprint, AblationRun.Fingerprint(AblationCatalog.TokenEfficiency.Variants.First(v => v.Name != "mmfs-8"), settings, 0));
        // an arm's own learning rate is part of it; the settings' rate given explicitly is a different record, not the same run
        Assert.NotEqual(fingerprint, AblationRun.Fingerprint(variant with { LearningRate = 3e-4 }, settings, 0));
        Assert.NotEqual(AblationRun.Fingerprint(variant with { LearningRate = 3e-4 }, settings, 0), AblationRun.Fingerprint(variant with { LearningRate = 3e-3 }, settings, 0));
        // at its own rate, the settings' rate cannot change the run; a tuning run (not scored) is another record
        Assert.Equal(AblationRun.Fingerprint(variant with { LearningRate = 3e-4 }, settings, 0), AblationRun.Fingerprint(variant with { LearningRate = 3e-4 }, settings with { LearningRate = 5e-3 }, 0));
        Assert.NotEqual(fingerprint, AblationRun.Fingerprint(variant, settings, 0, score: false));
    }

    [Fact]
    public void Every_trained_arm_is_tuned_on_validation_with_a_seed_of_its_own_and_its_seeds_train_at_the_chosen_rate()
    {
        using var folder = new TempFolder();
        var experiment = AblationCatalog.TokenEfficiency with
        {
            Variants = [AblationCatalog.TokenEfficiency.Variant("mmfs-8"), AblationCatalog.TokenEfficiency.Variant(AblationVariant.TextOnlyName)], Comparisons = [],
        };
        double[] grid = [2e-3, 5e-4];
        var settings = ExperimentSettings.QuickSettings with { Seeds = [0], OutFolder = folder.Path, LearningRateGrid = grid, TuningSeed = 7 };
        Assert.Equal(2 + 2, ExperimentRunner.RunCount(experiment, settings));   // two tuning runs (the text-only arm is not tuned), two seeds' runs
        var result = ExperimentRunner.Run(experiment, settings, "test");

        Assert.Equal([("mmfs-8", 7L, (double?)2e-3), ("mmfs-8", 7L, 5e-4)], result.TuningRuns.Select(r => (r.Variant, r.Seed, r.LearningRate)));
        Assert.All(result.TuningRuns, r => Assert.Empty(r.Metrics));                           // never scored on Test
        Assert.All(result.TuningRuns, r => Assert.Equal(settings.Steps / settings.CurveEvery, r.Curve.Count));
        double chosen = LearningRateTuning.Choose(result.TuningRuns, grid);
        var mmfs = Assert.Single(result.Runs, r => r.Variant == "mmfs-8");
        Assert.Equal(chosen, mmfs.LearningRate);
        Assert.Equal(chosen, result.Summary.Single(v => v.Variant == "mmfs-8").LearningRate);
        string run = Path.Combine(folder.Path, "runs", experiment.Id, "mmfs-8-seed0", MMInterleaved.Training.TrainingArgs.FileName);
        Assert.Equal(chosen, MMInterleaved.Training.TrainingArgs.Load(run).Optimization.LearningRate);
        Assert.Null(Assert.Single(result.Runs, r => r.Variant == AblationVariant.TextOnlyName).LearningRate);
        Assert.Contains("**Learning-rate tuning.**", ExperimentReport.Markdown(result));

        // saved and read back, the tuning is kept; another experiment with the same arm reuses its tuning runs
        string saved = folder.File("token-efficiency.json");
        result.Save(saved);
        var loaded = ExperimentResult.Load(saved);
        Assert.Equal(result.TuningRuns.Select(r => (r.LearningRate, LearningRateTuning.Score(r))), loaded.TuningRuns.Select(r => (r.LearningRate, LearningRateTuning.Score(r))));
        Assert.Equal(grid, loaded.Settings.LearningRateGrid);
        var other = AblationCatalog.InputResolution with { Variants = [AblationCatalog.InputResolution.Variant("mmfs-8")], Comparisons = [] };
        var again = ExperimentRunner.Run(other, settings, "test", reusable: [loaded]);
        Assert.All(again.TuningRuns, r => Assert.Equal("token-efficiency/mmfs-8", r.ReusedFrom));
        Assert.Equal("token-efficiency/mmfs-8", Assert.Single(again.Runs).ReusedFrom);

        // the rate is picked on a seed nobody reports
        Assert.Throws<ArgumentException>(() => (settings with { Seeds = [0, 7] }).Validated());
        // a result saved before tuning existed reads as untuned
        File.WriteAllText(saved, File.ReadAllText(saved).Replace("\"LearningRateGrid\"", "\"OldGrid\""));
        Assert.Empty(ExperimentResult.Load(saved).Settings.LearningRateGrid);
    }

    [Fact]
    public void A_deformable_mmfs_arm_records_where_it_looks_at_the_end_and_at_every_curve_point_and_other_arms_do_not()
    {
        using var folder = new TempFolder();
        var experiment = AblationCatalog.TokenEfficiency with
        {
            Variants = [AblationCatalog.TokenEfficiency.Variant("mmfs-8"), AblationCatalog.TokenEfficiency.Variant("no-mmfs-64")], Comparisons = [],
        };
        var result = ExperimentRunner.Run(experiment, ExperimentSettings.QuickSettings with { Seeds = [0], OutFolder = folder.Path }, "test");
        var mmfs = result.Runs.Single(r => r.Variant == "mmfs-8");
        int layers = AblationCatalog.TokenEfficiency.Variant("mmfs-8").Configure(ModelPresets.Resolve("tiny")).Decoder.NumLayers / ModelPresets.Resolve("tiny").CrossAttention.Frequency;
        Assert.True(layers > 0);
        for (int l = 0; l < layers; l++)
        {
            Assert.InRange(mmfs.Metrics[AblationMetrics.AttentionAsked(l)], 0, 100);
            Assert.InRange(mmfs.Metrics[AblationMetrics.AttentionControl(l)], 0, 100);
        }
        Assert.False(mmfs.Metrics.ContainsKey(AblationMetrics.AttentionAsked(layers)));
        Assert.All(mmfs.Curve, p => Assert.Equal(2 * layers, p.Attention!.Count));
        var blind = result.Runs.Single(r => r.Variant == "no-mmfs-64");
        Assert.DoesNotContain(blind.Metrics.Keys, AblationMetrics.IsAttention);
        Assert.All(blind.Curve, p => Assert.Null(p.Attention));
        string markdown = ExperimentReport.Markdown(result);
        Assert.Contains("**Where MMFS looks**", markdown);
        Assert.Contains($"| {result.Summary.Single(v => v.Variant == "mmfs-8").Label} | 0 |", markdown);
        Assert.NotNull(ExperimentReport.AttentionChart(result));
    }

    [Fact]
    public void The_chosen_rate_is_the_best_end_of_the_validation_curve_a_tie_goes_to_the_grid_order_and_no_score_never_wins()
    {
        static RunRecord Run(double rate, params double[] curve) =>
            new("arm", 100, 6, 1, 1, 1, new Dictionary<string, double>(), [.. curve.Select((a, i) => new CurvePoint(i + 1, i + 1, a))]) { LearningRate = rate };
        // the mean of the last two points decides: 1e-3 ends 30, 40 (35) against 3e-4's 50, 10 (30)
        Assert.Equal(1e-3, LearningRateTuning.Choose([Run(3e-4, 0, 50, 10), Run(1e-3, 90, 30, 40)], [3e-4, 1e-3]));
        Assert.Equal(35, LearningRateTuning.Score(Run(1e-3, 90, 30, 40)));
        Assert.Equal(3e-4, LearningRateTuning.Choose([Run(1e-3, 20, 20), Run(3e-4, 20, 20)], [3e-4, 1e-3]));
        Assert.Equal(1e-3, LearningRateTuning.Choose([Run(3e-4), Run(1e-3, 1, 1)], [3e-4, 1e-3]));
        Assert.Throws<ArgumentException>(() => LearningRateTuning.Choose([], [3e-4]));
    }

    [Fact]
    public void A_run_stopped_part_way_continues_from_its_checkpoint_to_the_record_an_uninterrupted_run_gives()
    {
        using var folder = new TempFolder();
        var variant = AblationCatalog.TokenEfficiency.Variant("mmfs-8");
        var settings = ExperimentSettings.QuickSettings with { Resume = true };
        RunRecord whole;
        using (new SingleThread())
            whole = AblationRun.Execute(variant, 0, settings, folder.File("whole"));
        string cut = folder.File("cut");
        using (new SingleThread())
        {
            // cancelled before it starts, it trains one step and checkpoints it
            Assert.Throws<OperationCanceledException>(() => AblationRun.Execute(variant, 0, settings, cut, cancel: new CancellationToken(canceled: true)));
            Assert.False(File.Exists(Path.Combine(cut, AblationRun.FinishedFile)));
            Assert.Equal(1, new MMInterleaved.Training.CheckpointStore(cut).LatestStep);
            // a curve point logged after the checkpoint (a kill between the two) is measured again, not kept
            File.AppendAllText(Path.Combine(cut, AblationRun.CurveFile), System.Text.Json.JsonSerializer.Serialize(new CurvePoint(3, 1, 999)) + "\n");
            var resumed = AblationRun.Execute(variant, 0, settings, cut);
            Assert.Equal(whole.Metrics, resumed.Metrics);
            Assert.Equal(whole.Curve.Select(p => (p.Step, p.Accuracy)), resumed.Curve.Select(p => (p.Step, p.Accuracy)));
            Assert.Equal(whole.Steps, resumed.Steps);
        }
        // with another fingerprint, or without resume, the folder's run starts again from step 0
        using (new SingleThread())
            Assert.Throws<OperationCanceledException>(() => AblationRun.Execute(variant, 0, settings with { TestQuestions = 20 }, cut, cancel: new CancellationToken(canceled: true)));
        Assert.Equal(1, new MMInterleaved.Training.CheckpointStore(cut).LatestStep);
        using (new SingleThread())
            Assert.Equal(whole.Metrics, AblationRun.Execute(variant, 0, settings with { Resume = false }, cut).Metrics);
    }

    [Fact]
    public void An_arm_trains_at_its_own_learning_rate_and_the_patch_token_arm_is_the_probes_config()
    {
        using var folder = new TempFolder();
        var settings = ExperimentSettings.QuickSettings with { Steps = 2, CurveEvery = 2 };
        var variant = AblationCatalog.TokenEfficiency.Variant("mmfs-8") with { LearningRate = 1.25e-4 };
        AblationRun.Execute(variant, 0, settings, folder.Path);
        var args = MMInterleaved.Training.TrainingArgs.Load(Path.Combine(folder.Path, MMInterleaved.Training.TrainingArgs.FileName));
        Assert.Equal(1.25e-4, args.Optimization.LearningRate);

        // WithPatchTokens on the small preset is the config the baseline diagnosis trained (results/probes)
        var probe = ModelConfig.FromJson(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "results", "probes", "patch-tokens-64.config.json")), "patch-tokens-64.config.json");
        var noMmfs = ModelConfig.FromJson(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "results", "probes", "no-mmfs-64.config.json")), "no-mmfs-64.config.json");
        Assert.Equal(probe.ToJson(), AblationVariant.WithPatchTokens(noMmfs).ToJson());
    }

    [Fact]
    public void A_libtorch_error_in_a_threaded_run_is_retried_at_most_twice_and_never_when_alone()
    {
        var record = new RunRecord("v", 0, 1, 1, 1, 1, new Dictionary<string, double>(), []);
        int calls = 0;
        var notes = new List<string>();
        RunRecord Flaky() => ++calls < 3 ? throw new System.Runtime.InteropServices.ExternalException("Unknown scalar type.\nframe #0") : record;
        Assert.Same(record, ExperimentRunner.ExecuteRetryingNativeRace(Flaky, threaded: true, "v seed 0", notes.Add));
        Assert.Equal(3, calls);
        Assert.Equal(2, notes.Count);
        Assert.Contains("Unknown scalar type", notes[0]);
        calls = -10;   // fails every time: the third failure propagates
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => ExperimentRunner.ExecuteRetryingNativeRace(Flaky, threaded: true, "v", null));
        calls = 0;     // alone the race cannot happen: the first failure propagates
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => ExperimentRunner.ExecuteRetryingNativeRace(Flaky, threaded: false, "v", null));
        Assert.Equal(1, calls);
    }
}
