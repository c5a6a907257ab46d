namespace MMInterleaved.Training;

/// <summary>Settings of `mmi pretrain-encoder` (defaults follow the pilot: AdamW 2e-3, batch 64, warm-up 100, cosine).</summary>
public sealed record EncoderPretrainingOptions
{
    /// <summary>Model preset or config.json whose vision encoder (ViT + adapter) is trained.</summary>
    public string Model { get; init; } = "small";
    /// <summary>Input side in pixels instead of the preset's (the scenes are drawn at that size; the ViT grid follows).</summary>
    public int? ImageSize { get; init; }
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 800;
    /// <summary>Scenes per step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Evaluate every N steps.</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>Held-out scenes per evaluation.</summary>
    public int EvalScenes { get; init; } = 256;
    /// <summary>Stop early once held-out per-cell glyph accuracy reaches this.</summary>
    public double TargetAccuracy { get; init; } = 0.97;
    /// <summary>Seed of scenes and initialisation.</summary>
    public long Seed { get; init; }
    /// <summary>What the encoder learns to tell (default: the committed encoder's per-cell labels).</summary>
    public EncoderObjective Objective { get; init; } = EncoderObjective.CellLabels;
    /// <summary>Where the encoder is saved (safetensors, keys under vision_model.).</summary>
    public string OutFile { get; init; } = "data/encoders/small-encoder.safetensors";
    /// <summary>Run folder for checkpoints and metrics.</summary>
    public string RunFolder { get; init; } = "artifacts/runs/encoder";
}
