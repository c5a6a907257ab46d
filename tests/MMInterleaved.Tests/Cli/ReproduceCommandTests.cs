using MMInterleaved.Cli;
using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Spectre.Console;
using Xunit;

namespace MMInterleaved.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class ReproduceCommandTests
{
    private static (int Code, string Output, string Error) Mmi(params string[] args) => CliRunner.Mmi(args);

    [Fact]
    public void Quick_reproduce_writes_results_charts_and_a_summary_and_prints_the_table()
    {
        using var folder = new TempFolder();
        var run = Mmi("reproduce", "token-efficiency", "--quick", "--seeds", "1", "--out", folder.Path);
        Assert.True(run.Code == 0, run.Output + run.Error);
        foreach (var file in new[] { "token-efficiency.json", "token-efficiency.md", "token-efficiency.html", "summary.md", "summary.html" })
            Assert.True(File.Exists(folder.File(file)), file);
        var result = ExperimentResult.Load(folder.File("token-efficiency.json"));
        Assert.Equal(4, result.Runs.Count);                                   // three variants and the text-only arm × one seed (quick: no tuning)
        Assert.Empty(result.TuningRuns);
        Assert.Contains(result.Runs, r => r.Variant == AblationVariant.TextOnlyName);
        Assert.Equal("inconclusive", result.Verdict);                         // quick mode never claims a finding
        Assert.Contains("MMFS, 8 tokens", run.Output);
        Assert.Contains("inconclusive", run.Output);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "runs")));    // run folders stay out of a results folder

        // few-shot evaluates those runs with 0, 2, 4 (and 8, where the model allows 9 images; tiny allows 7) shots
        var fewShot = Mmi("reproduce", "few-shot", "--quick", "--out", folder.Path);
        Assert.True(fewShot.Code == 0, fewShot.Output + fewShot.Error);
        var curves = FewShotResult.Load(folder.File("few-shot.json"));
        Assert.Equal(3 * 3, curves.Points.Count);                             // three image arms; the text-only arm has no image shots to take
        Assert.DoesNotContain(curves.Points, p => p.Variant == AblationVariant.TextOnlyName);
        Assert.Equal([0, 2, 4], curves.Points.Where(p => p.Variant == "mmfs-8").Select(p => p.Shots));
        Assert.Contains("Few-shot", File.ReadAllText(folder.File("summary.md")));

        // quick runs keep their own run folders, so the main job never replaces a full run's checkpoints
        Assert.True(File.Exists(Path.Combine("artifacts", "reproduce-quick", "runs", "token-efficiency", "mmfs-8-seed0", AblationRun.FinishedFile)));
        // another run trained in the same run folder since: few-shot refuses to score it as the one in token-efficiency.json
        using var other = new TempFolder();
        Assert.Equal(0, Mmi("reproduce", "token-efficiency", "--quick", "--seeds", "1", "--steps", "3", "--out", other.Path).Code);
        var stale = Mmi("reproduce", "few-shot", "--quick", "--out", folder.Path);
        Assert.Equal(2, stale.Code);
        Assert.Contains(AblationRun.FinishedFile, stale.Error);
        Assert.Contains("mmi reproduce token-efficiency --resume", stale.Error);
        // --source picks one trained experiment; one without results in --out is named with what to run
        var missing = Mmi("reproduce", "few-shot", "--quick", "--source", "in-context-training", "--out", folder.Path);
        Assert.Equal(2, missing.Code);
        Assert.Contains("mmi reproduce in-context-training", missing.Error);
        Assert.Contains("--source", Mmi("reproduce", "few-shot", "--quick", "--source", "table-99", "--out", folder.Path).Error);
    }

    [Fact]
    public void Quick_efficiency_measures_three_arms_and_writes_its_tables()
    {
        using var folder = new TempFolder();
        var run = Mmi("reproduce", "efficiency", "--quick", "--out", folder.Path);
        Assert.True(run.Code == 0, run.Output + run.Error);
        var result = EfficiencyResult.Load(folder.File("efficiency.json"));
        Assert.Equal(["mmfs-8", "no-mmfs-8", "no-mmfs-64"], result.Arms.Select(a => a.Name));
        var (mmfs, plain, many) = (result.Arms[0], result.Arms[1], result.Arms[2]);
        Assert.True(mmfs.TrainableParameters > plain.TrainableParameters);
        Assert.Equal(mmfs.ForwardMacs - mmfs.MacsByPart["MMFS"], plain.ForwardMacs, 6);   // the arms differ by the MMFS term only
        Assert.True(many.ForwardMacs > plain.ForwardMacs);
        Assert.True(many.SequenceLength > plain.SequenceLength);
        Assert.All(result.Arms, a => Assert.Equal(2, a.StepTimesMs.Count));
        Assert.True(result.MemoryTracked);
        Assert.All(result.Arms, a => Assert.True(a.StepPeakExtraMb > 0, $"{a.Name}: a training step allocates memory"));
        Assert.Contains("+2%", File.ReadAllText(folder.File("efficiency.md")));       // the paper's number beside ours
        Assert.Contains("Efficiency", File.ReadAllText(folder.File("summary.md")));
    }

    [Fact]
    public void Few_shot_without_the_token_efficiency_runs_says_what_to_run_first()
    {
        using var folder = new TempFolder();
        var run = Mmi("reproduce", "few-shot", "--quick", "--out", folder.Path);
        Assert.Equal(2, run.Code);
        Assert.Contains("mmi reproduce token-efficiency", run.Error);
    }

    [Fact]
    public void An_unknown_experiment_is_named_with_the_list_of_experiments()
    {
        var run = Mmi("reproduce", "table-99", "--quick");
        Assert.Equal(2, run.Code);
        Assert.Contains("table-99", run.Error);
        Assert.Contains("token-efficiency", run.Error);
    }

    [Fact]
    public void The_learning_rate_grid_is_a_list_of_rates_or_none_and_anything_else_is_one_line_naming_the_option()
    {
        Assert.Equal([3e-4, 1e-3], MMInterleaved.Cli.Commands.ReproduceCommand.ParseGrid("3e-4, 1e-3"));
        Assert.Empty(MMInterleaved.Cli.Commands.ReproduceCommand.ParseGrid("none"));
        var bad = Mmi("reproduce", "token-efficiency", "--quick", "--lr-grid", "1e-3,abc");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--lr-grid '1e-3,abc': 'abc' is not a positive learning rate", bad.Error);
        Assert.DoesNotContain("   at ", bad.Error);
        Assert.Contains("--lr-grid '1e-3,1e-3'", Mmi("reproduce", "token-efficiency", "--quick", "--lr-grid", "1e-3,1e-3").Error);
        // the full mode's default tunes every arm; quick mode does not
        Assert.Equal([1e-4, 3e-4, 1e-3, 3e-3], Reproduction.SettingsFor(new ReproductionRequest()).LearningRateGrid);
        Assert.Empty(Reproduction.SettingsFor(new ReproductionRequest { Quick = true }).LearningRateGrid);
        Assert.Equal([2e-3], Reproduction.SettingsFor(new ReproductionRequest { Quick = true, LearningRateGrid = [2e-3] }).LearningRateGrid);
    }
}
