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

    [Fact]
    public void Reports_only_rewrites_every_report_from_the_json_and_leaves_the_json_alone()
    {
        using var folder = new TempFolder();
        string results = Path.Combine(RepositoryPaths.Root, "results");
        foreach (var json in Directory.GetFiles(results, "*.json")) File.Copy(json, Path.Combine(folder.Path, Path.GetFileName(json)));
        var before = Directory.GetFiles(folder.Path).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        var outcome = Reproduction.Run(new ReproductionRequest { ReportsOnly = true, OutFolder = folder.Path });
        Assert.Equal(ExperimentResult.LoadFolder(results).Count, outcome.Experiments.Count);
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(Path.Combine(folder.Path, kv.Key))));
        foreach (var md in Directory.GetFiles(results, "*.md"))
            Assert.Equal(File.ReadAllText(md), File.ReadAllText(Path.Combine(folder.Path, Path.GetFileName(md))));
        Assert.True(File.Exists(Path.Combine(folder.Path, "summary.html")));
        Assert.Throws<DirectoryNotFoundException>(() => Reproduction.Run(new ReproductionRequest { ReportsOnly = true, OutFolder = folder.File("none") }));
    }

    [Fact]
    public void Reanalysis_re_derives_the_committed_verdicts_from_their_runs_with_the_paired_test_and_keeps_the_runs()
    {
        using var folder = new TempFolder();
        string results = Path.Combine(RepositoryPaths.Root, "results");
        foreach (var json in Directory.GetFiles(results, "*.json")) File.Copy(json, Path.Combine(folder.Path, Path.GetFileName(json)));
        var before = ExperimentResult.LoadFolder(folder.Path);
        // these results predate the Test-split protocol: their JSON has no score split, and they read as Validation
        Assert.All(before, r => Assert.Equal(MMInterleaved.Data.DataSplit.Validation, r.Split));
        Assert.All(before, r => Assert.Equal(0, r.Settings.CoarseQuestionShare));           // nor coarse questions
        Assert.All(before, r => Assert.Equal(1, r.Settings.DataRevision));                   // and trained on the first data
        Assert.All(before, r => Assert.Equal(MMInterleaved.Training.EncoderObjective.CellLabels, r.Settings.EncoderObjective));
        var after = Reproduction.Run(new ReproductionRequest { ReportsOnly = true, Reanalyse = true, OutFolder = folder.Path }).Experiments;
        Assert.Contains("scored on the Validation split (not Test", File.ReadAllText(folder.File(after[0].Id + ".md")));
        Assert.Equal(before.Select(r => r.Id), after.Select(r => r.Id));
        foreach (var (old, now) in before.Zip(after))
        {
            Assert.Equal(ResultFile.ToJson(old.Runs), ResultFile.ToJson(now.Runs));         // nothing retrained
            Assert.Equal(old.FinishedUtc, now.FinishedUtc);
            Assert.All(now.Verdicts, v => Assert.True(v.Seeds >= 2 && v.Family >= 1));
            Assert.Contains("paired t-test", now.VerdictReason);
        }
        Assert.Equal(ResultFile.ToJson(after[0]), File.ReadAllText(folder.File(after[0].Id + ".json")));   // saved, split and all
        Assert.All(ExperimentResult.LoadFolder(folder.Path), r => Assert.Equal(MMInterleaved.Data.DataSplit.Validation, r.Split));
        Assert.Throws<ArgumentException>(() => Reproduction.Run(new ReproductionRequest { Reanalyse = true, OutFolder = folder.Path }));
    }

    [Fact]
    public void An_unknown_experiment_is_refused_naming_every_kind_of_experiment()
    {
        var error = Assert.Throws<ArgumentException>(() => Reproduction.Run(new ReproductionRequest { Experiment = "table-99", Quick = true }));
        Assert.Contains("'table-99'", error.Message);
        Assert.All(new[] { AblationCatalog.TokenEfficiency.Id, FewShotExperiment.Id, EfficiencyExperiment.Id, GenerationCatalog.SegToImage.Id, GenerationCatalog.LossTerms.Id },
            id => Assert.Contains(id, error.Message));
    }
}
