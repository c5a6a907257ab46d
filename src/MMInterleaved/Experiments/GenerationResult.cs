namespace MMInterleaved.Experiments;

/// <summary>
/// What a generation experiment measured: every run, per arm the mean and SD over seeds of each score, the paired seed
/// test of the deciding metric (better − worse), the verdict and its reason, and the paper's numbers. Saved as
/// <c>{id}.json</c> beside <c>{id}.md</c>.
/// </summary>
public sealed record GenerationResult(string Id, string Title, string Claim, string Command, DateTime Date, string Machine,
    GenerationSettings Settings, IReadOnlyList<GenerationRunRecord> Runs, IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricSummary>> Summary,
    string Metric, string Better, string Worse, PairedSeedTest? Test, string Verdict, string Reason, IReadOnlyDictionary<string, double> Paper)
{
    /// <summary>The table's columns when the experiment names them (<see cref="GenerationExperiment.Columns"/>).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Reads a saved result; a clear error names the file when it is not one.</summary>
    public static GenerationResult Load(string path) => ResultFile.Load<GenerationResult>(path, "a generation experiment result", "run `mmi reproduce seg-to-image`");
}
