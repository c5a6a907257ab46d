using MMInterleaved.Runtime;

namespace MMInterleaved.Experiments;

/// <summary>
/// What an ablation notebook shows, in one call shared by notebooks 04–07: in quick mode (`MMI_QUICK=1`, the test suite)
/// a seconds-scale run of the tiny preset; with <c>rerun</c>, or when nothing is committed, the full experiment (runs
/// identical to committed runs of other experiments are reused, as `mmi reproduce` does); otherwise the committed result.
/// </summary>
public static class NotebookResults
{
    /// <summary>The result of <paramref name="experiment"/> for a notebook whose working folder is <c>notebooks/</c>.</summary>
    /// <param name="experiment">The ablation.</param>
    /// <param name="rerun">Train everything again (full mode: the minutes stated in the results).</param>
    /// <param name="notebook">Recorded as the result's command ("notebook 04").</param>
    /// <param name="resultsFolder">The committed results (default <c>../results</c>).</param>
    public static ExperimentResult For(AblationExperiment experiment, bool rerun, string notebook, string? resultsFolder = null)
    {
        string results = resultsFolder ?? Path.Combine("..", "results");
        string committed = Path.Combine(results, experiment.Id + ".json");
        if (RunMode.Quick)
            return ExperimentRunner.Run(experiment, ExperimentSettings.QuickSettings with { OutFolder = Path.Combine("..", "artifacts", "reproduce-quick") }, notebook + ", quick mode");
        if (rerun || !File.Exists(committed))
            return ExperimentRunner.Run(experiment, ExperimentSettings.Full with { OutFolder = Path.Combine("..", "artifacts", "reproduce") }, notebook,
                reusable: ExperimentResult.LoadFolder(results));
        return ExperimentResult.Load(committed);
    }

    /// <summary>A line saying what the notebook shows.</summary>
    public static string Describe(ExperimentResult result) =>
        result.Settings.Quick ? "quick mode: tiny preset, a few steps (measures nothing)" : $"results of `{result.Command}`, finished {result.FinishedUtc:u}";
}
