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
    /// <summary>The learning-rate tuning runs (<see cref="LearningRateTuning"/>: each trained arm at every rate of the grid
    /// with the tuning seed, scored on the Validation curve only); empty when the arms were not tuned.</summary>
    public IReadOnlyList<RunRecord> TuningRuns { get; init; } = [];

    /// <summary>The split the final numbers were scored on (recorded in the JSON as <c>"Split"</c>).</summary>
    public DataSplit Split => Settings.ScoreSplit;

    /// <summary>The JSON text.</summary>
    public string ToJson() => ResultFile.ToJson(this);

    /// <summary>Writes the JSON atomically.</summary>
    public void Save(string path) => ResultFile.Save(this, path);

    /// <summary>The results of the catalog's experiments saved in <paramref name="folder"/> (<c>&lt;id&gt;.json</c>), in catalog order.</summary>
    public static IReadOnlyList<ExperimentResult> LoadFolder(string folder) =>
        AblationCatalog.All.Select(e => Path.Combine(folder, e.Id + ".json")).Where(File.Exists).Select(Load).ToList();

    /// <summary>Reads a saved result; a clear error names the file when it is not one. Settings a result was saved
    /// without read as they were then: no <c>ScoreSplit</c> means it was scored on Validation, no
    /// <c>CoarseQuestionShare</c> that it asked no coarse questions, no <c>DataRevision</c> that it trained on revision 1's data
    /// (and no <c>EncoderObjective</c> reads as the committed per-cell-label encoder), no <c>LearningRateGrid</c> that no arm was tuned.</summary>
    public static ExperimentResult Load(string path)
    {
        var result = ResultFile.Load<ExperimentResult>(path, "an experiment result", "run `mmi reproduce`");
        var saved = JsonNode.Parse(File.ReadAllText(path))?["Settings"];
        var settings = result.Settings;
        if (saved?[nameof(ExperimentSettings.ScoreSplit)] is null) settings = settings with { ScoreSplit = DataSplit.Validation };
        if (saved?[nameof(ExperimentSettings.CoarseQuestionShare)] is null) settings = settings with { CoarseQuestionShare = 0 };
        if (saved?[nameof(ExperimentSettings.DataRevision)] is null) settings = settings with { DataRevision = 1 };
        if (saved?[nameof(ExperimentSettings.LearningRateGrid)] is null) settings = settings with { LearningRateGrid = [] };
        return result with { Settings = settings };
    }
}
