namespace MMInterleaved.Experiments;

/// <summary>What an ablation's runs train on: the main task and what is mixed into it (one document in three).</summary>
/// <param name="Task"><see cref="AblationExperiment.VqaTask"/> or <see cref="AblationExperiment.CaptionTask"/>.</param>
/// <param name="MultiImage">Mix in questions about an earlier image (glyph-multi-image) and score them (Table 8).</param>
/// <param name="FewShotShots">When positive, mix in few-shot documents with that many solved examples before the query
/// (glyph-fewshot), so the model learns to use in-context examples (the paper's models learn it from interleaved data).</param>
public sealed record AblationTraining(string Task = AblationExperiment.VqaTask, bool MultiImage = false, int FewShotShots = 0)
{
    /// <summary>The plain setting: VQA only.</summary>
    public static AblationTraining Default { get; } = new();
}
