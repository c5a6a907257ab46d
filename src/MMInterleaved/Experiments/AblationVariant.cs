using MMInterleaved.Model;

namespace MMInterleaved.Experiments;

/// <summary>One arm of an ablation: a name, what it changes, and the change applied to the preset's config.</summary>
/// <param name="Name">Short key used in result files ("mmfs-8", "no-mmfs-64").</param>
/// <param name="Label">What a reader sees in tables and charts.</param>
/// <param name="Configure">The change to the preset's model config.</param>
/// <param name="NumImageTokens">The visual-token count it uses (for curves over the token budget), when that is its axis.</param>
public sealed record AblationVariant(string Name, string Label, Func<ModelConfig, ModelConfig> Configure, int? NumImageTokens = null)
{
    /// <summary>Train and score on the documents with their images taken out (<see cref="Data.ImagelessDocumentSource"/>):
    /// the same model reading the text alone, whose accuracy is the answer prior.</summary>
    public bool TextOnly { get; init; }

    /// <summary>The text-only arm every comprehension experiment carries: the reference model (MMFS, few tokens) with the
    /// images removed, so a reader sees how far above the answer prior each arm is.</summary>
    public static AblationVariant TextOnlyArm(Func<ModelConfig, ModelConfig> configure) =>
        new(TextOnlyName, "text only (images removed: the answer prior)", configure) { TextOnly = true };

    /// <summary>The text-only arm's name.</summary>
    public const string TextOnlyName = "text-only";

    /// <summary>The arm's own peak learning rate, chosen by a sweep on the Validation split (null: the settings'), so every
    /// arm is compared at its best rate rather than at the rate the MMFS recipe was tuned at (issue 17).</summary>
    public double? LearningRate { get; init; }

    /// <summary>The config with every ViT patch as a visual token (LLaVA-style, <see cref="ModelConfig.UsePatchTokens"/>),
    /// no resampler and no MMFS: the many-token baseline that keeps everything the encoder saw.</summary>
    public static ModelConfig WithPatchTokens(ModelConfig config)
    {
        int patches = config.Vision.ImageSize / config.Vision.PatchSize;
        return WithMmfs(config.WithNumImageTokens(patches * patches), false) with { UseResampler = false, UsePatchTokens = true };
    }

    /// <summary>The line this variant belongs to in a chart over <see cref="NumImageTokens"/> ("MMFS", "no MMFS"), if any.</summary>
    public string? Series { get; init; }

    /// <summary>The config at <paramref name="imageSize"/> pixels per side (the ViT grid and the feature maps follow); a
    /// small-preset run then starts from the encoder pre-trained at that size (<see cref="ModelPresets.PretrainedEncoderFor"/>).</summary>
    public static ModelConfig AtResolution(ModelConfig config, int imageSize) => config with { Vision = config.Vision with { ImageSize = imageSize } };

    /// <summary>The config with MMFS in the decoder switched on or off.</summary>
    public static ModelConfig WithMmfs(ModelConfig config, bool enabled) =>
        config with { CrossAttention = config.CrossAttention with { Enabled = enabled } };
}
