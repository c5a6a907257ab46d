using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

[Collection(TorchCollection.Name)]
public sealed class GenerationRunnerTests
{
    private static GenerationRunRecord Run(string arm, long seed, double miou) => new(arm, seed, new Dictionary<string, double> { ["miou"] = miou }, 60, "");

    [Fact]
    public void A_mixture_trains_its_own_steps_unless_the_command_names_them()
    {
        var teg = GenerationCatalog.TokenEfficiencyGeneration;
        var full = new ReproductionRequest { Experiment = teg.Id };
        Assert.Equal(2000, Reproduction.GenerationSettingsFor(full, teg).Steps);
        Assert.Equal(2000, Reproduction.GenerationSettingsFor(full, GenerationCatalog.LossTerms).Steps);
        Assert.Equal(GenerationSettings.Full.Steps, Reproduction.GenerationSettingsFor(full, GenerationCatalog.SegToImage).Steps);
        Assert.Equal(700, Reproduction.GenerationSettingsFor(full with { Steps = 700 }, teg).Steps);
        Assert.Equal(GenerationSettings.Quick.Steps, Reproduction.GenerationSettingsFor(full with { Quick = true }, teg).Steps);
    }

    [Fact]
    public void Full_runs_go_to_resumable_workers_even_one_at_a_time()
    {
        Assert.True(GenerationRunner.UsesWorkers(GenerationSettings.Full with { Parallelism = 1 }, underMmi: true));
        Assert.True(GenerationRunner.UsesWorkers(GenerationSettings.Full with { Parallelism = 2 }, underMmi: true));
        Assert.False(GenerationRunner.UsesWorkers(GenerationSettings.Quick, underMmi: true));
        Assert.False(GenerationRunner.UsesWorkers(GenerationSettings.Full, underMmi: false));
    }

    [Fact]
    public void The_verdict_is_a_one_sided_paired_test_over_seeds()
    {
        var e = GenerationCatalog.SegToImage;
        var full = GenerationSettings.Full;
        var clear = GenerationRunner.Summarise(e, full, [Run("mmfs", 0, 0.9), Run("mmfs", 1, 0.8), Run("mmfs", 2, 0.85), Run("no-unet-mmfs", 0, 0.1), Run("no-unet-mmfs", 1, 0.12), Run("no-unet-mmfs", 2, 0.05)], "");
        Assert.Equal("reproduced", clear.Verdict);
        Assert.Equal(3, clear.Test!.N);
        Assert.Equal((0.8 + 0.68 + 0.8) / 3, clear.Test.MeanDifference, 12);
        Assert.Equal(0.85, clear.Summary["mmfs"]["miou"].Mean, 12);
        var reversed = GenerationRunner.Summarise(e, full, [Run("mmfs", 0, 0.1), Run("mmfs", 1, 0.2), Run("no-unet-mmfs", 0, 0.3), Run("no-unet-mmfs", 1, 0.35)], "");
        Assert.Equal("not reproduced", reversed.Verdict);
        // one seed far ahead, one behind: ahead on average, not significant
        var mixed = GenerationRunner.Summarise(e, full, [Run("mmfs", 0, 0.9), Run("mmfs", 1, 0.1), Run("no-unet-mmfs", 0, 0.1), Run("no-unet-mmfs", 1, 0.2)], "");
        Assert.Equal("inconclusive", mixed.Verdict);
        var single = GenerationRunner.Summarise(e, full with { Seeds = [0] }, [Run("mmfs", 0, 0.9), Run("no-unet-mmfs", 0, 0.1)], "");
        Assert.Equal("inconclusive", single.Verdict);
        Assert.Null(single.Test);
        // the same small lead in every seed (scores on a lattice of 48 prompts) is no evidence the t-test can weigh
        var lattice = GenerationRunner.Summarise(e, full with { Seeds = [0, 1] }, [Run("mmfs", 0, 8 / 48.0), Run("mmfs", 1, 5 / 48.0), Run("no-unet-mmfs", 0, 6 / 48.0), Run("no-unet-mmfs", 1, 3 / 48.0)], "");
        Assert.Equal("inconclusive", lattice.Verdict);
        Assert.Contains("no spread", lattice.Reason);
    }

    [Fact]
    public void Quick_seg_to_image_trains_both_arms_per_seed_scores_them_and_writes_the_result()
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = "seg-to-image", Quick = true, OutFolder = folder.Path };
        var lines = new List<string>();
        var outcome = Reproduction.Run(request, lines.Add);
        var result = Assert.Single(outcome.Generation);
        Assert.Equal(4, result.Runs.Count);
        // trained seed by seed (both arms of seed 0 first, so a stopped experiment has a pair), reported arm by arm
        Assert.Equal(["mmfs seed 0", "no-unet-mmfs seed 0", "mmfs seed 1", "no-unet-mmfs seed 1"],
            lines.Where(l => l.Contains("] ")).Select(l => l[(l.IndexOf("] ") + 2)..l.IndexOf(':')]));
        Assert.Equal(["mmfs", "mmfs", "no-unet-mmfs", "no-unet-mmfs"], result.Runs.Select(r => r.Arm));
        Assert.All(result.Runs, r => Assert.InRange(r.Metrics["miou"], 0, 1));
        Assert.Equal("inconclusive", result.Verdict);
        Assert.True(File.Exists(Path.Combine(folder.Path, "seg-to-image.md")));
        var loaded = GenerationResult.Load(Path.Combine(folder.Path, "seg-to-image.json"));
        Assert.Equal(result.Runs.Select(r => r.Metrics["miou"]), loaded.Runs.Select(r => r.Metrics["miou"]));
        // the no-MMFS arm's config has no UNet MMFS; the reference arm keeps it
        var runs = Path.Combine(Reproduction.GenerationSettingsFor(request).RunsFolder, "seg-to-image");
        Assert.Contains("\"mmfs\": null", File.ReadAllText(Path.Combine(runs, "no-unet-mmfs-seed0", "config.json")));
        Assert.DoesNotContain("\"mmfs\": null", File.ReadAllText(Path.Combine(runs, "mmfs-seed0", "config.json")));
        // --resume keeps the finished runs
        var again = Reproduction.Run(request with { Resume = true }, _ => { }).Generation[0];
        Assert.Equal(result.Runs.Select(r => r.Metrics["miou"]), again.Runs.Select(r => r.Metrics["miou"]));
        // ... but only a run made as this one would be: one whose record of training and scoring differs is made again
        string changed = Path.Combine(runs, "mmfs-seed1"), kept = Path.Combine(runs, "mmfs-seed0");
        File.WriteAllText(Path.GetFullPath(changed) + ".scored", "trained with other steps");
        DateTime changedBefore = File.GetLastWriteTimeUtc(Path.Combine(changed, "test_scores.json")), keptBefore = File.GetLastWriteTimeUtc(Path.Combine(kept, "test_scores.json"));
        Reproduction.Run(request with { Resume = true }, _ => { });
        Assert.True(File.GetLastWriteTimeUtc(Path.Combine(changed, "test_scores.json")) > changedBefore);
        Assert.Equal(keptBefore, File.GetLastWriteTimeUtc(Path.Combine(kept, "test_scores.json")));
        // what a notebook shows: the table as HTML, and the first run's Test images, prompt by prompt (map, generated,
        // segmented, real); the committed copy of a run's images is found when its run folder is not here
        var view = GenerationReport.View(result).Html;
        Assert.Contains("<th>miou</th>", view);
        Assert.Contains(result.Verdict, view);
        var samples = GenerationReport.Samples(Path.Combine(runs, "mmfs-seed0", "test"), prompts: 2).Html;
        Assert.Equal(2 * 4, samples.Split("<img").Length - 1);
        Assert.Contains("<th>generated</th>", samples);
        Assert.Equal(Path.Combine(result.Runs[0].Folder, "test"), NotebookResults.SamplesFolder(result, result.Runs[0]));
        var elsewhere = result.Runs[0] with { Folder = folder.File("gone") };
        Directory.CreateDirectory(folder.File($"committed/seg-to-image/{elsewhere.Arm}-seed{elsewhere.Seed}-step{result.Settings.Steps}"));
        Assert.Equal(folder.File($"committed/seg-to-image/{elsewhere.Arm}-seed{elsewhere.Seed}-step{result.Settings.Steps}"),
            NotebookResults.SamplesFolder(result, elsewhere, folder.File("committed")));
        Assert.Null(NotebookResults.SamplesFolder(result, elsewhere));
        Assert.Contains("mmi reproduce seg-to-image", NotebookResults.Describe(GenerationCatalog.SegToImage, null));

        // --reports-only writes the table again from the JSON
        string table = Path.Combine(folder.Path, "seg-to-image.md"), before = File.ReadAllText(table);
        File.Delete(table);
        Assert.Single(Reproduction.Run(new ReproductionRequest { ReportsOnly = true, OutFolder = folder.Path }, _ => { }).Generation);
        Assert.Equal(before, File.ReadAllText(table));
    }

    [Fact]
    public void Quick_storytelling_trains_three_decoder_arms_and_scores_the_last_frames()
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = "story-decoder-mmfs", Quick = true, OutFolder = folder.Path, Seeds = 1 };
        var result = Assert.Single(Reproduction.Run(request, _ => { }).Generation);
        Assert.Equal(["mmfs", "mmfs-all-previous", "no-unet-mmfs"], result.Runs.Select(r => r.Arm));
        Assert.All(result.Runs, r => Assert.True(r.Metrics.ContainsKey("cell_color_changed") && r.Metrics.ContainsKey("similarity")));
        // every frame in turn as well (Table 5c): more frames scored than the one last frame per story
        Assert.All(result.Runs, r => Assert.True(r.Metrics.ContainsKey("all_frames.cell_color_changed") && r.Metrics["all_frames.frames_scored"] > r.Metrics["frames_scored"]));
        string runs = Path.Combine(Reproduction.GenerationSettingsFor(request).RunsFolder, "story-decoder-mmfs");
        Assert.Contains("\"AllPrevious\"", File.ReadAllText(Path.Combine(runs, "mmfs-all-previous-seed0", "config.json")));
        Assert.Contains("\"Previous\"", File.ReadAllText(Path.Combine(runs, "mmfs-seed0", "config.json")));
    }

    [Fact]
    public void Quick_loss_terms_trains_five_arms_on_the_mixture_and_scores_generation_captions_and_vqa()
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = "loss-terms", Quick = true, OutFolder = folder.Path, Seeds = 1 };
        var result = Assert.Single(Reproduction.Run(request, _ => { }).Generation);
        Assert.Equal(["text-only", "image-only", "lambda-1", "lambda-10", "lambda-100"], result.Runs.Select(r => r.Arm));
        string[] keys = ["cell_color", "cell_kind", "cell_fidelity", "fid_glyph", "caption.CIDEr", "caption.Bleu_4", "vqa.overall"];
        Assert.All(result.Runs, r => Assert.All(keys, k => Assert.True(r.Metrics.ContainsKey(k), $"{r.Arm} lacks {k}")));
        Assert.All(result.Runs, r => Assert.InRange(r.Metrics["vqa.overall"], 0, 100));
        // the arms differ only in the two loss weights
        string runs = Path.Combine(Reproduction.GenerationSettingsFor(request).RunsFolder, "loss-terms");
        var text = MMInterleaved.Model.ModelConfig.Load(Path.Combine(runs, "text-only-seed0", "config.json"));
        var image = MMInterleaved.Model.ModelConfig.Load(Path.Combine(runs, "image-only-seed0", "config.json"));
        var hundred = MMInterleaved.Model.ModelConfig.Load(Path.Combine(runs, "lambda-100-seed0", "config.json"));
        Assert.Equal((1.0, 0.0), (text.LossTextWeight, text.ImageDecoder!.LossWeight));
        Assert.Equal((0.0, 10.0), (image.LossTextWeight, image.ImageDecoder!.LossWeight));
        Assert.Equal((1.0, 100.0), (hundred.LossTextWeight, hundred.ImageDecoder!.LossWeight));
        string table = File.ReadAllText(Path.Combine(folder.Path, "loss-terms.md"));
        Assert.Contains("| arm | cell_color | cell_color_other_scene | cell_kind | cell_fidelity | fid_glyph | caption.CIDEr | caption.Bleu_4 | vqa.overall |", table);
        Assert.Equal(result.Columns, GenerationResult.Load(Path.Combine(folder.Path, "loss-terms.json")).Columns);
    }

    [Fact]
    public void A_resumed_experiment_continues_an_interrupted_run_of_the_same_arguments_and_trains_any_other_afresh()
    {
        using var folder = new TempFolder();
        string run = folder.File("arm-seed0");
        var args = new MMInterleaved.Training.TrainingArgs
        {
            Model = "tiny", Task = "glyph-vqa", BatchSize = 2, MaxLength = 48, EvalExamples = 0, QuestionsPerImage = 2,
            Optimization = new MMInterleaved.Training.TrainingConfig { Steps = 4, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 2 },
        };
        string fingerprint = GenerationRunner.Fingerprint(["train", "--steps", "4"], "{}");
        Assert.Equal(GenerationRunner.Progress.None, GenerationRunner.ProgressOf(run, fingerprint));       // nothing there
        using (var single = new SingleThread())
        {
            var training = MMInterleaved.Training.TrainingRun.Create(run, args);
            using var cancel = new CancellationTokenSource();
            training.Trainer.Progress += p => { if (p.Step == 3) cancel.Cancel(); };
            Assert.True(training.Run(cancel.Token).Interrupted);                                    // checkpoint at step 2 (and 3)
        }
        Assert.Equal(GenerationRunner.Progress.None, GenerationRunner.ProgressOf(run, fingerprint));       // no fingerprint: not ours
        File.WriteAllText(run + ".fingerprint", fingerprint);
        Assert.Equal(GenerationRunner.Progress.Checkpointed, GenerationRunner.ProgressOf(run, fingerprint));
        Assert.Equal(GenerationRunner.Progress.None, GenerationRunner.ProgressOf(run, GenerationRunner.Fingerprint(["train", "--steps", "5"], "{}")));
        Assert.Equal(GenerationRunner.Progress.None, GenerationRunner.ProgressOf(run, GenerationRunner.Fingerprint(["train", "--steps", "4"], "{ }")));
        using (var single = new SingleThread()) MMInterleaved.Training.TrainingRun.Resume(run).Run();
        Assert.Equal(GenerationRunner.Progress.Trained, GenerationRunner.ProgressOf(run, fingerprint));
        // the same run under another checkout's runs folder has the same record; another run does not
        string Record(string runs, string name) => GenerationRunner.Fingerprint(["train", "--out", Path.Combine(runs, name)], "{}", runs);
        Assert.Equal(Record("/a/runs", "x-seed0"), Record("/b/other/runs", "x-seed0"));
        Assert.NotEqual(Record("/a/runs", "x-seed0"), Record("/a/runs", "x-seed1"));
    }

    [Fact]
    public void A_runs_diffusion_targets_are_the_mean_over_its_logged_steps_and_absent_from_older_logs()
    {
        using var folder = new TempFolder();
        string run = folder.File("arm-seed0");
        Directory.CreateDirectory(run);
        Assert.Null(GenerationRunner.MeanLogged(run, "image_targets"));                      // no log
        File.WriteAllLines(Path.Combine(run, "metrics.jsonl"),
        [
            "{\"step\":10,\"loss\":1.0,\"extra\":{\"loss_img\":0.2,\"image_targets\":4}}",
            "{\"step\":20,\"loss\":0.9,\"extra\":{\"loss_img\":0.1}}",               // a step logged without it
            "{\"step\":30,\"loss\":0.8,\"extra\":{\"loss_img\":0.1,\"image_targets\":7}}",
        ]);
        Assert.Equal(5.5, GenerationRunner.MeanLogged(run, "image_targets"));
        Assert.Null(GenerationRunner.MeanLogged(run, "gate0"));
    }

    [Fact]
    public void A_runs_record_is_the_same_whether_its_runs_folder_is_named_relatively_or_absolutely()
    {
        // `mmi reproduce` names artifacts/reproduce/runs from the checkout, a notebook ../artifacts/reproduce/runs from
        // notebooks/: the same folder must give the same record, or a notebook would train a finished run again
        var e = GenerationCatalog.TokenEfficiencyGeneration;
        var relative = GenerationSettings.Full with { Preset = "tiny", RunsFolder = Path.Combine("artifacts", "some-runs") };
        var absolute = relative with { RunsFolder = Path.GetFullPath(relative.RunsFolder) };
        string Record(GenerationSettings s)
        {
            var (train, config) = GenerationRunner.TrainCommand(e, e.Arms[0], 0, s, Path.Combine(s.RunsFolder, e.Id, "mmfs-8-seed0"));
            return GenerationRunner.Fingerprint(train, config, s.RunsFolder);
        }
        Assert.Equal(Record(relative), Record(absolute));
        Assert.Contains("{runs}/token-efficiency-generation/mmfs-8-seed0\n", Record(relative).Replace('\\', '/'));
        Assert.DoesNotContain(Path.GetFullPath("artifacts"), Record(relative));
    }

    [Fact]
    public void The_runs_finished_so_far_show_as_in_progress_with_their_training_curves()
    {
        using var folder = new TempFolder();
        var e = GenerationCatalog.Story;
        void Finish(string name, double score, params string[] log)
        {
            string run = folder.File(name);
            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, "test_scores.json"), $"{{\"cell_color\": {score}}}");
            File.WriteAllLines(Path.Combine(run, "metrics.jsonl"), log);
            File.WriteAllText(run + ".scored", "how it was made");
        }
        Finish("mmfs-seed0", 70, "{\"step\":10,\"elapsed_s\":5,\"extra\":{\"loss_img\":0.3}}", "{\"step\":20,\"elapsed_s\":9,\"extra\":{\"loss_img\":0.2}}");
        Finish("no-unet-mmfs-seed0", 20, "{\"step\":10,\"elapsed_s\":4,\"extra\":{\"loss_img\":0.4}}");
        Directory.CreateDirectory(folder.File("mmfs-seed1"));                  // still training: no .scored, not shown
        var runs = GenerationRunner.FinishedRuns(e, folder.Path, [0, 1, 2]);
        Assert.Equal(["mmfs 0", "no-unet-mmfs 0"], runs.Select(r => $"{r.Arm} {r.Seed}"));
        Assert.Equal(9, runs[0].TrainSeconds);
        var result = GenerationRunner.InProgress(e, GenerationSettings.Full, runs, "test");
        Assert.Equal(GenerationRunner.InProgressVerdict, result.Verdict);
        Assert.Null(result.Test);
        Assert.StartsWith("2 of 9 runs finished", result.Reason);
        Assert.Equal(70, result.Summary["mmfs"]["cell_color"].Mean);
        Assert.Equal([(10, 0.3), (20, 0.2)], GenerationRunner.Logged(Path.Combine(runs[0].Folder, "metrics.jsonl"), "loss_img"));
        string chart = Plotly.NET.GenericChart.toChartHTML(GenerationReport.LossCurves(result, "loss_img", r => Path.Combine(r.Folder, "metrics.jsonl")));
        Assert.Contains("mmfs seed 0", chart);
        Assert.Contains("no-unet-mmfs seed 0", chart);
    }

    [Theory]
    [InlineData("token-efficiency-generation", new[] { "mmfs-8", "no-mmfs-64" })]
    [InlineData("resampler-and-mmfs-generation", new[] { "both", "resampler-only", "mmfs-only" })]
    public void Quick_generation_columns_train_the_comprehension_arms_jointly_and_score_drawing_and_vqa(string id, string[] arms)
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = id, Quick = true, OutFolder = folder.Path, Seeds = 1 };
        var result = Assert.Single(Reproduction.Run(request, _ => { }).Generation);
        Assert.Equal(arms, result.Runs.Select(r => r.Arm));
        Assert.All(result.Runs, r => Assert.True(r.Metrics.ContainsKey("cell_color") && r.Metrics.ContainsKey("vqa.overall")));
        // the training log's diffusion targets per step travel with the scores: text-to-image documents carry targets
        Assert.All(result.Runs, r => Assert.True(r.Metrics.GetValueOrDefault(GenerationRunner.TrainImageTargets) > 0, $"{r.Arm}: no {GenerationRunner.TrainImageTargets}"));
        // each arm's config is the comprehension ablation's change applied to the generation preset
        string runs = Path.Combine(Reproduction.GenerationSettingsFor(request).RunsFolder, id);
        var preset = MMInterleaved.Model.ModelPresets.Resolve("tiny");
        foreach (var variant in AblationCatalog.All.First(e => Joint(e).Select(v => v.Name).SequenceEqual(arms)).Variants.Where(v => arms.Contains(v.Name)))
        {
            var config = MMInterleaved.Model.ModelConfig.Load(Path.Combine(runs, $"{variant.Name}-seed0", "config.json"));
            var expected = variant.Configure(preset);
            Assert.Equal((expected.NumImageTokens, expected.CrossAttention.Enabled, expected.UseResampler), (config.NumImageTokens, config.CrossAttention.Enabled, config.UseResampler));
            Assert.NotNull(config.ImageDecoder?.Mmfs);                                                    // the UNet keeps its MMFS
            // an in-process run leaves the records a worker resumes it from: the fingerprint of the config it trained
            string record = Path.Combine(runs, $"{variant.Name}-seed0");
            Assert.Equal(File.ReadAllText(Path.Combine(record, "config.json")).TrimEnd(), File.ReadAllText(record + ".config.json").TrimEnd());
            Assert.EndsWith(File.ReadAllText(record + ".config.json"), File.ReadAllText(record + ".fingerprint"), StringComparison.Ordinal);
        }
    }

    // the arms a joint generation column trains: its comprehension experiment's, without the text-only arm and the patch-token control
    private static IEnumerable<AblationVariant> Joint(AblationExperiment experiment) =>
        experiment.Variants.Where(v => !v.TextOnly && v.Name != AblationCatalog.PatchTokensName);
}
