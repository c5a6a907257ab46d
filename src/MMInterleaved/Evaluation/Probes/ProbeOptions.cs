namespace MMInterleaved.Evaluation.Probes;

/// <summary>How a <see cref="FeatureProbe"/> is fitted.</summary>
public sealed record ProbeOptions
{
    /// <summary>Scenes the probe is fitted on (Train split stream of <see cref="Seed"/>).</summary>
    public int TrainScenes { get; init; } = 4000;
    /// <summary>Scenes it is scored on (another seed stream, never fitted on).</summary>
    public int TestScenes { get; init; } = 1000;
    /// <summary>Passes over the training scenes.</summary>
    public int Epochs { get; init; } = 40;
    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Weight decay (decoupled) of the probe's weights.</summary>
    public double WeightDecay { get; init; } = 1e-2;
    /// <summary>Hidden width: 0 fits a linear probe (the default: what is linearly readable), more a one-hidden-layer MLP.</summary>
    public int Hidden { get; init; }
    /// <summary>Seed of the scenes and of the probe's initialisation.</summary>
    public long Seed { get; init; }

    /// <summary>These options, or an error naming the bad field.</summary>
    public ProbeOptions Validated()
    {
        if (TrainScenes < 16) throw new ArgumentException($"TrainScenes is {TrainScenes}; a probe needs at least 16 scenes to fit.");
        if (TestScenes < 1) throw new ArgumentException($"TestScenes is {TestScenes}; it must be positive.");
        if (Epochs < 1) throw new ArgumentException($"Epochs is {Epochs}; it must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate is {LearningRate}; it must be positive.");
        if (WeightDecay < 0) throw new ArgumentException($"WeightDecay is {WeightDecay}; it must not be negative.");
        if (Hidden < 0) throw new ArgumentException($"Hidden is {Hidden}; 0 (linear) or a positive width.");
        return this;
    }
}
