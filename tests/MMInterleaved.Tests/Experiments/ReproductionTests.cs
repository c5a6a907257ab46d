using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

/// <summary>The orchestration `mmi reproduce` and notebooks share: settings, run-folder policy, bad requests.</summary>
[Collection(TorchCollection.Name)]
public sealed class ReproductionTests
{
    [Fact]
    public void Quick_and_full_runs_keep_separate_run_folders_outside_the_results_folder()
    {
        var quick = Reproduction.SettingsFor(new ReproductionRequest { Quick = true, OutFolder = "results", Seeds = 1, Steps = 3 });
        var full = Reproduction.SettingsFor(new ReproductionRequest { OutFolder = "results", Resume = true });
        Assert.Equal(Path.Combine("artifacts", "reproduce-quick", "runs"), quick.RunsFolder);
        Assert.Equal(Path.Combine("artifacts", "reproduce", "runs"), full.RunsFolder);
        Assert.Equal([0L], quick.Seeds);
        Assert.Equal(3, quick.Steps);
        Assert.Equal("tiny", quick.Preset);
        Assert.Equal(ExperimentSettings.Full.Steps, full.Steps);
        Assert.True(full.Resume);
    }

    [Fact]
    public void Unknown_experiments_and_few_shot_sources_are_named()
    {
        using var folder = new TempFolder();
        var unknown = Assert.Throws<ArgumentException>(() => Reproduction.Run(new ReproductionRequest { Experiment = "table-99", Quick = true, OutFolder = folder.Path }));
        Assert.Contains("table-99", unknown.Message);
        var source = Assert.Throws<ArgumentException>(() => Reproduction.Run(new ReproductionRequest { Experiment = FewShotExperiment.Id, FewShotSource = "nope", Quick = true, OutFolder = folder.Path }));
        Assert.Contains("nope", source.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => Reproduction.Run(new ReproductionRequest { Experiment = FewShotExperiment.Id, Quick = true, OutFolder = folder.Path }));
        Assert.Contains("token-efficiency", missing.Message);
    }
}
