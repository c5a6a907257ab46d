namespace MMInterleaved.Experiments;

/// <summary>What one <see cref="Reproduction.Run"/> produced (also written to its folder).</summary>
/// <param name="Experiments">The ablations run this time.</param>
/// <param name="FewShot">The few-shot curves evaluated this time.</param>
/// <param name="Efficiency">The efficiency measurement, when it ran.</param>
/// <param name="Settings">The settings the ablations ran with (the run-folder policy included).</param>
public sealed record ReproductionOutcome(IReadOnlyList<ExperimentResult> Experiments, IReadOnlyList<FewShotResult> FewShot, EfficiencyResult? Efficiency,
    ExperimentSettings Settings)
{
    /// <summary>The generation experiments run this time (<see cref="GenerationCatalog"/>).</summary>
    public IReadOnlyList<GenerationResult> Generation { get; init; } = [];
}
