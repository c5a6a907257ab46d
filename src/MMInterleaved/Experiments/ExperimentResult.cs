using System.Text.Json.Nodes;
using MMInterleaved.Data;

namespace MMInterleaved.Experiments;

/// <summary>
/// Everything one experiment measured, as saved to <c>results/&lt;id&gt;.json</c>: the settings and the command, every run,
/// the per-variant summaries at equal steps and at equal training time, the verdicts, and the paper's numbers beside them.
/// </summary>
public sealed record ExperimentResult(
    string Id, string Title, string Claim, string Command, DateTime FinishedUtc, string Machine, ExperimentSettings Settings,
    IReadOnlyList<RunRecord> Runs, IReadOnlyList<VariantSummary> Summary, double EqualTimeSeconds,
    IReadOnlyList<ComparisonVerdict> Verdicts, string Verdict, string VerdictReason, IReadOnlyList<PaperRow> Paper)
{
    /// <summary>The split the final numbers were scored on (recorded in the JSON as <c>"Split"</c>).</summary>
    public DataSplit Split => Settings.ScoreSplit;

    /// <summary>The JSON text.</summary>
    public string ToJson() => ResultFile.ToJson(this);

    /// <summary>Writes the JSON atomically.</summary>
    public void Save(string path) => ResultFile.Save(this, path);

    /// <summary>The results of the catalog's experiments saved in <paramref name="folder"/> (<c>&lt;id&gt;.json</c>), in catalog order.</summary>
    public static IReadOnlyList<ExperimentResult> LoadFolder(string folder) =>
        AblationCatalog.All.Select(e => Path.Combine(folder, e.Id + ".json")).Where(File.Exists).Select(Load).ToList();

    /// <summary>Reads a saved result; a clear error names the file when it is not one. A result saved before the score
    /// split was recorded (its settings have no <c>ScoreSplit</c>) was scored on Validation and reads so.</summary>
    public static ExperimentResult Load(string path)
    {
        var result = ResultFile.Load<ExperimentResult>(path, "an experiment result", "run `mmi reproduce`");
        bool recorded = JsonNode.Parse(File.ReadAllText(path))?["Settings"]?[nameof(ExperimentSettings.ScoreSplit)] is not null;
        return recorded ? result : result with { Settings = result.Settings with { ScoreSplit = DataSplit.Validation } };
    }
}
