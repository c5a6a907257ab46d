namespace MMInterleaved.Training;

/// <summary>
/// A training run on a built-in task or a document file: what `mmi train` and notebook 03 run. Model: a preset name or a
/// config.json path. Data: a task name (glyph-vqa, …) or, when <see cref="DataFile"/> is set, a JSON-Lines document file.
/// </summary>
public sealed record TaskRunOptions
{
    /// <summary>tiny, small, paper, or a path to a config.json.</summary>
    public string Model { get; init; } = "small";
    /// <summary>Built-in task name.</summary>
    public string Task { get; init; } = "glyph-vqa";
    /// <summary>A JSON-Lines document file to train on instead of the task (docs/data-format.md).</summary>
    public string? DataFile { get; init; }
    /// <summary>Run folder (checkpoints, metrics.jsonl, tokenizer.json, config.json).</summary>
    public string OutFolder { get; init; } = "artifacts/runs/run";
    /// <summary>Packed sequences per batch.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Tokens per packed sequence.</summary>
    public int MaxLength { get; init; } = 64;
    /// <summary>Optimisation settings (steps, learning rate, …).</summary>
    public TrainingConfig Training { get; init; } = new();
    /// <summary>Seed of the data (scenes, questions) and of libtorch.</summary>
    public long Seed { get; init; }
    /// <summary>Held-out documents scored at each evaluation (exact-match answers).</summary>
    public int EvalExamples { get; init; } = 200;
    /// <summary>Cells per side of the glyph grid (3: position names such as "top left"; 4: "row r column c").</summary>
    public int GridSide { get; init; } = 4;
    /// <summary>glyph-vqa training documents ask this many questions per image (evaluation always asks one).</summary>
    public int QuestionsPerImage { get; init; } = 1;
    /// <summary>Question type weights of the VQA-style tasks (train and evaluation).</summary>
    public MMInterleaved.Data.Tasks.VqaQuestionMix Questions { get; init; } = new();
    /// <summary>Overrides the model config's decoder MMFS initial offset magnitude (null: the config's).</summary>
    public double? OffsetInitMagnitude { get; init; }
    /// <summary>Continue from the run folder's latest checkpoint.</summary>
    public bool Resume { get; init; }
}
