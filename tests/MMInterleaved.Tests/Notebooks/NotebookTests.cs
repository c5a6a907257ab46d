using MMInterleaved.Runtime;
using Xunit;

namespace MMInterleaved.Tests.Notebooks;

/// <summary>Executes every notebook under notebooks/ in quick mode; the executed copies go to artifacts/notebooks/.</summary>
[Collection(TorchCollection.Name)]
public class NotebookTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(RepositoryPaths.Notebooks, "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_without_cell_errors(string notebook)
    {
        // Tests run notebooks in quick mode unless the caller chose otherwise (MMI_QUICK=0 runs them in full).
        if (Environment.GetEnvironmentVariable(RunMode.EnvironmentVariable) is null)
            Environment.SetEnvironmentVariable(RunMode.EnvironmentVariable, "1");
        var result = await NotebookRunner.RunAsync(
            Path.Combine(RepositoryPaths.Notebooks, notebook),
            Path.Combine(RepositoryPaths.Artifacts, "notebooks", notebook));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.True(result.CellsExecuted > 0, $"{notebook} has no code cell");
    }

    [Fact]
    public async Task Runner_reports_notebook_cell_and_message_of_a_failing_cell()
    {
        string fixture = Path.Combine(RepositoryPaths.TestFixtures, "broken.ipynb");
        string output = Path.Combine(RepositoryPaths.Artifacts, "notebooks", "fixtures", "broken.ipynb");
        var result = await NotebookRunner.RunAsync(fixture, output);

        Assert.False(result.Succeeded);
        Assert.Equal("broken.ipynb", result.Failure!.Notebook);
        Assert.Equal(3, result.Failure.Cell); // cell 1 is markdown, cell 2 succeeds, cell 3 throws
        Assert.Contains("deliberate failure 42", result.Failure.Message);
        Assert.Equal(2, result.CellsExecuted); // cell 4 never runs
        string written = await File.ReadAllTextAsync(output);
        Assert.Contains("first cell ran", written); // outputs of executed cells are kept
    }
}
