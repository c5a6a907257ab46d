namespace MMInterleaved.Experiments;

/// <summary>
/// One of the paper's generation claims re-run on a built-in generation task: the arms trained (every seed of each),
/// the metric that decides it, the comparison (better, worse) as the paper finds it, and the paper's numbers. Run by
/// <see cref="GenerationRunner"/>; listed in <see cref="GenerationCatalog"/>.
/// </summary>
/// <param name="Id">Command-line name (`mmi reproduce seg-to-image`).</param>
/// <param name="Title">Heading, with the paper's table.</param>
/// <param name="Claim">What the paper claims.</param>
/// <param name="Task">The built-in task trained and scored (glyph-seg-to-image, …).</param>
/// <param name="Arms">The arms.</param>
/// <param name="Metric">The score key that decides the comparison (e.g. <c>miou</c>).</param>
/// <param name="Better">The arm the paper finds better.</param>
/// <param name="Worse">The arm it beats.</param>
/// <param name="Paper">The paper's value of <paramref name="Metric"/> per arm, and its ground-truth row under "real".</param>
public sealed record GenerationExperiment(string Id, string Title, string Claim, string Task, IReadOnlyList<GenerationArm> Arms,
    string Metric, string Better, string Worse, IReadOnlyDictionary<string, double> Paper)
{
    /// <summary>Training steps of a full run when the command names none (null: <see cref="GenerationSettings.Steps"/>).
    /// A mixture gives text-to-image only its share of the documents, and the single-task recipe needed about 1000 steps
    /// of them before colours followed captions, so mixtures train longer.</summary>
    public int? Steps { get; init; }

    /// <summary>Glyph grid side of the task's scenes.</summary>
    public int GridSide { get; init; } = 1;

    /// <summary>Further tasks scored on their Test split beside the first task of <see cref="Task"/> (a mixture's
    /// comprehension parts, say); their scores are keyed <c>{task}.{metric}</c> (<see cref="ScoreKey"/>).</summary>
    public IReadOnlyList<string> AlsoScored { get; init; } = [];

    /// <summary>Text-to-image: read each generated cell's glyph kind too (cell_kind, cell_fidelity) and FID-glyph, as
    /// `mmi eval --cell-kinds` (the scoring segmenter is trained once, minutes).</summary>
    public bool CellKinds { get; init; }

    /// <summary>Storytelling: besides the last frame (Table 5b), also generate every frame after the first in turn, each
    /// written back (Table 5c, `mmi eval --story-frames all`); those scores are keyed <c>all_frames.{metric}</c>.</summary>
    public bool AlsoAllFrames { get; init; }

    /// <summary>Key prefix of the every-frame scores (<see cref="AlsoAllFrames"/>).</summary>
    public const string AllFramesPrefix = "all_frames.";

    /// <summary>The result table's columns (null: the generation scores present in the runs).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>The key under which <paramref name="metric"/> of an <see cref="AlsoScored"/> task is kept
    /// ("glyph-caption", "CIDEr" → "caption.CIDEr").</summary>
    public static string ScoreKey(string task, string metric) =>
        (task.StartsWith("glyph-", StringComparison.Ordinal) ? task["glyph-".Length..] : task) + "." + metric;

    /// <summary>The arm of that name.</summary>
    public GenerationArm Arm(string name) => Arms.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"experiment {Id} has no arm '{name}'; it has {string.Join(", ", Arms.Select(a => a.Name))}.");
}
