using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

[Collection(TorchCollection.Name)]
public sealed class GenerationRunnerTests
{
    private static GenerationRunRecord Run(string arm, long seed, double miou) => new(arm, seed, new Dictionary<string, double> { ["miou"] = miou }, 60, "");

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
    }

    [Fact]
    public void Quick_seg_to_image_trains_both_arms_per_seed_scores_them_and_writes_the_result()
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = "seg-to-image", Quick = true, OutFolder = folder.Path };
        var outcome = Reproduction.Run(request, _ => { });
        var result = Assert.Single(outcome.Generation);
        Assert.Equal(4, result.Runs.Count);
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
    }

    [Fact]
    public void Quick_storytelling_trains_three_decoder_arms_and_scores_the_last_frames()
    {
        using var folder = new TempFolder();
        var request = new ReproductionRequest { Experiment = "story-decoder-mmfs", Quick = true, OutFolder = folder.Path, Seeds = 1 };
        var result = Assert.Single(Reproduction.Run(request, _ => { }).Generation);
        Assert.Equal(["mmfs", "mmfs-all-previous", "no-unet-mmfs"], result.Runs.Select(r => r.Arm));
        Assert.All(result.Runs, r => Assert.True(r.Metrics.ContainsKey("cell_color_changed") && r.Metrics.ContainsKey("similarity")));
        string runs = Path.Combine(Reproduction.GenerationSettingsFor(request).RunsFolder, "story-decoder-mmfs");
        Assert.Contains("\"AllPrevious\"", File.ReadAllText(Path.Combine(runs, "mmfs-all-previous-seed0", "config.json")));
        Assert.Contains("\"Previous\"", File.ReadAllText(Path.Combine(runs, "mmfs-seed0", "config.json")));
    }
}
