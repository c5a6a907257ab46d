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
    /// <summary>The JSON text.</summary>
    public string ToJson() => ResultFile.ToJson(this);

    /// <summary>Writes the JSON atomically.</summary>
    public void Save(string path) => ResultFile.Save(this, path);

    /// <summary>The results of the catalog's experiments saved in <paramref name="folder"/> (<c>&lt;id&gt;.json</c>), in catalog order.</summary>
    public static IReadOnlyList<ExperimentResult> LoadFolder(string folder) =>
        AblationCatalog.All.Select(e => Path.Combine(folder, e.Id + ".json")).Where(File.Exists).Select(Load).ToList();

    /// <summary>Reads a saved result; a clear error names the file when it is not one.</summary>
    public static ExperimentResult Load(string path) => ResultFile.Load<ExperimentResult>(path, "an experiment result", "run `mmi reproduce`");
}
