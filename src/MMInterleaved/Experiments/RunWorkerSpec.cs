namespace MMInterleaved.Experiments;

/// <summary>One ablation run handed to a worker process (<see cref="RunWorker"/>), saved as <c>worker.json</c> in its folder.</summary>
/// <param name="Experiment">Catalog id of the experiment (<see cref="AblationCatalog"/>): the variant and training mix come from it.</param>
/// <param name="Variant">Variant name within the experiment.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Settings">The experiment's settings (already adjusted by <see cref="AblationExperiment.SettingsFor"/>).</param>
/// <param name="Folder">The run folder (replaced by the run).</param>
public sealed record RunWorkerSpec(string Experiment, string Variant, long Seed, ExperimentSettings Settings, string Folder);
