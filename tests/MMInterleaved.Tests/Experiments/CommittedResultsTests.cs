using MMInterleaved.Experiments;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

/// <summary>The committed results under results/ stay readable by the current code, and their reports regenerate from
/// the JSON alone to the committed Markdown.</summary>
public sealed class CommittedResultsTests
{
    private static string Results => Path.Combine(RepositoryPaths.Root, "results");

    private static void AssertRegenerates(string stem, string markdown) =>
        Assert.Equal(File.ReadAllText(Path.Combine(Results, stem + ".md")).ReplaceLineEndings(), markdown.ReplaceLineEndings());

    [Fact]
    public void Every_committed_result_loads_and_its_report_regenerates_from_its_json()
    {
        var experiments = ExperimentResult.LoadFolder(Results);
        Assert.Equal(Directory.GetFiles(Results, "*.json").Count(f => AblationCatalog.All.Any(e => Path.GetFileName(f) == e.Id + ".json")), experiments.Count);
        Assert.NotEmpty(experiments);
        foreach (var result in experiments) AssertRegenerates(result.Id, ExperimentReport.Markdown(result));

        var fewShot = Directory.GetFiles(Results, FewShotExperiment.Id + "*.json").Select(FewShotResult.Load).ToList();
        Assert.NotEmpty(fewShot);
        foreach (var curves in fewShot) AssertRegenerates(curves.FileStem, FewShotReport.Markdown(curves));

        var efficiency = EfficiencyResult.Load(Path.Combine(Results, "efficiency.json"));
        AssertRegenerates("efficiency", EfficiencyReport.Markdown(efficiency));
        // generation results: summarised again from their runs by the current code, they render the committed report
        var generation = GenerationCatalog.All.Select(e => Path.Combine(Results, e.Id + ".json")).Where(File.Exists)
            .Select(f => GenerationRunner.Resummarise(GenerationResult.Load(f))).ToList();
        Assert.NotEmpty(generation);
        foreach (var result in generation) AssertRegenerates(result.Id, GenerationReport.Markdown(result));

        AssertRegenerates("summary", ExperimentReport.SummaryMarkdown(experiments, efficiency, AblationCatalog.All
            .Select(e => fewShot.FirstOrDefault(f => f.SourceExperiment == e.Id)).OfType<FewShotResult>().ToList(), generation));
    }
}
