namespace MMInterleaved.Experiments;

/// <summary>What to reproduce and how: `mmi reproduce`'s options as a record, so a notebook asks for the same thing in one
/// call (<see cref="Reproduction.Run"/>). Null sizes take the mode's defaults (<see cref="ExperimentSettings.Full"/> or
/// <see cref="ExperimentSettings.QuickSettings"/>).</summary>
public sealed record ReproductionRequest
{
    /// <summary>"all", an ablation id of <see cref="AblationCatalog"/>, <see cref="FewShotExperiment.Id"/> or <see cref="EfficiencyExperiment.Id"/>.</summary>
    public string Experiment { get; init; } = "all";
    /// <summary>Seconds-scale smoke run (tiny preset): checks the pipeline, measures nothing.</summary>
    public bool Quick { get; init; }
    /// <summary>Seeds per variant (0…n−1), or null for the mode's.</summary>
    public int? Seeds { get; init; }
    /// <summary>Training steps per run, or null for the mode's.</summary>
    public int? Steps { get; init; }
    /// <summary>The frozen encoder of the comprehension ablations, or null for the committed per-cell-label one.</summary>
    public Training.EncoderObjective? EncoderObjective { get; init; }
    /// <summary>Runs trained at once, or null for one per core.</summary>
    public int? Parallelism { get; init; }
    /// <summary>The learning rates every trained arm is tuned over (null: the mode's; empty: no tuning), see <see cref="LearningRateTuning"/>.</summary>
    public IReadOnlyList<double>? LearningRateGrid { get; init; }
    /// <summary>Efficiency: timed training steps per arm (quick: 2).</summary>
    public int Repeats { get; init; } = 10;
    /// <summary>Few-shot: held-out questions per run and shot count (quick: 8).</summary>
    public int Questions { get; init; } = 300;
    /// <summary>Few-shot: evaluate only this experiment's runs (null: every trained source in <see cref="OutFolder"/>).</summary>
    public string? FewShotSource { get; init; }
    /// <summary>Take runs identical to another experiment's in <see cref="OutFolder"/> from there (the shared baseline row).</summary>
    public bool Reuse { get; init; } = true;
    /// <summary>Keep runs that already finished with the same fingerprint (an interrupted experiment goes on).</summary>
    public bool Resume { get; init; }
    /// <summary>Train and measure nothing: rewrite every report (.md, .html, summary) in <see cref="OutFolder"/> from the
    /// JSON results there, with the current code (the JSON is not touched).</summary>
    public bool ReportsOnly { get; init; }
    /// <summary>With <see cref="ReportsOnly"/>: re-derive each comprehension result's summaries and verdicts from its stored
    /// runs with the current statistics (<see cref="ExperimentRunner.Reanalyse"/>) and rewrite its JSON.</summary>
    public bool Reanalyse { get; init; }
    /// <summary>Results, pages and summary.</summary>
    public string OutFolder { get; init; } = Path.Combine("artifacts", "reproduce");
    /// <summary>Recorded in the results as the command that made them.</summary>
    public string Command { get; init; } = "";
}
