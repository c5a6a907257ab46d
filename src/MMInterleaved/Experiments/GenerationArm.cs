using MMInterleaved.Model;

namespace MMInterleaved.Experiments;

/// <summary>One arm of a generation experiment: a name, what a reader sees, and the change to the experiment's model.</summary>
/// <param name="Name">Short key of result files ("mmfs", "no-unet-mmfs").</param>
/// <param name="Label">What tables show.</param>
/// <param name="Configure">The change applied to the preset's config (image decoder included).</param>
public sealed record GenerationArm(string Name, string Label, Func<ModelConfig, ModelConfig> Configure);
