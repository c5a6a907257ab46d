namespace MMInterleaved.Experiments;

/// <summary>
/// One of the paper's comprehension ablations, re-run at workbench scale: the claim, the variants trained, the paper's
/// numbers, and the comparisons whose direction decides the verdict (each "A beats B" in the paper).
/// </summary>
/// <param name="Id">Command-line name (`mmi reproduce token-efficiency`).</param>
/// <param name="Title">Heading, with the paper's table.</param>
/// <param name="Claim">What the paper claims, in one or two sentences.</param>
/// <param name="Variants">The arms trained (every seed of each).</param>
/// <param name="Paper">The paper's numbers per variant (absent variants have none).</param>
/// <param name="Comparisons">Pairs (better, worse) as the paper finds them; the verdict tests each pair.</param>
public sealed record AblationExperiment(string Id, string Title, string Claim, IReadOnlyList<AblationVariant> Variants,
    IReadOnlyList<PaperRow> Paper, IReadOnlyList<(string Better, string Worse)> Comparisons)
{
    /// <summary>Mix multi-image questions (about an earlier image) into training and score them (Table 8).</summary>
    public bool IncludesMultiImage { get; init; }

    /// <summary>What the variants train on and are scored by: <see cref="VqaTask"/> (the paper's OK-VQA and TextVQA
    /// columns) or <see cref="CaptionTask"/> (its COCO-caption CIDEr column, as detail captions of the whole grid).</summary>
    public string Task { get; init; } = VqaTask;

    /// <summary>Glyph questions, four per training image.</summary>
    public const string VqaTask = "glyph-vqa";

    /// <summary>Row-by-row detail captions of the grid (<see cref="Data.Tasks.GridCaptionStyle.Rows"/>).</summary>
    public const string CaptionTask = "glyph-caption";

    /// <summary>Mix few-shot documents with this many solved examples into training (0: none; see <see cref="AblationTraining"/>).</summary>
    public int FewShotTrainingShots { get; init; }

    /// <summary>Training steps relative to <see cref="ExperimentSettings.Steps"/>. Table 8 trains 1.5× as long: one training
    /// row in three is a multi-image document with a single question, so at 1.5× its rows about the latest image carry as
    /// many questions as the other experiments' 2000 steps (at 1×, MMFS had not yet learned to find a cell by step 2000).</summary>
    public double StepScale { get; init; } = 1;

    /// <summary><paramref name="settings"/> with this experiment's step count (<see cref="StepScale"/>).</summary>
    public ExperimentSettings SettingsFor(ExperimentSettings settings) =>
        StepScale == 1 ? settings : settings with { Steps = (int)Math.Round(settings.Steps * StepScale) };

    /// <summary>What the runs train on.</summary>
    public AblationTraining Training => new(Task, IncludesMultiImage, FewShotTrainingShots);

    /// <summary>The variant of that name.</summary>
    public AblationVariant Variant(string name) => Variants.FirstOrDefault(v => v.Name == name)
        ?? throw new ArgumentException($"experiment {Id} has no variant '{name}'; it has {string.Join(", ", Variants.Select(v => v.Name))}.");
}
