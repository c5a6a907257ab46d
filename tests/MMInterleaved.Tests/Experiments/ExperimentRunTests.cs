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
        var alone = AblationRun.Execute(variant, 3, settings with { Parallelism = 1 }, folder.File("alone"));
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
}
