namespace MMInterleaved.Experiments;

/// <summary>One ablation run handed to a worker process (<see cref="RunWorker"/>), saved as <c>worker.json</c> in its folder.</summary>
/// <param name="Experiment">Catalog id of the experiment (<see cref="AblationCatalog"/>): the variant and training mix come from it.</param>
/// <param name="Variant">Variant name within the experiment.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Settings">The experiment's settings (already adjusted by <see cref="AblationExperiment.SettingsFor"/>).</param>
/// <param name="Folder">The run folder (replaced by the run).</param>
/// <param name="LearningRate">The arm's own peak rate (tuned, see <see cref="LearningRateTuning"/>), or null: the catalog variant's.</param>
/// <param name="Score">False for a tuning run: no final scoring on the score split.</param>
public sealed record RunWorkerSpec(string Experiment, string Variant, long Seed, ExperimentSettings Settings, string Folder, double? LearningRate = null, bool Score = true)
{
    /// <summary>The variant the run trains: the experiment's, at the spec's rate when it names one.</summary>
    public AblationVariant VariantOf(AblationExperiment experiment)
    {
        var variant = experiment.Variants.FirstOrDefault(v => v.Name == Variant)
            ?? throw new InvalidDataException($"worker spec: experiment {experiment.Id} has no variant '{Variant}'.");
        return LearningRate is null ? variant : variant with { LearningRate = LearningRate };
    }
}
