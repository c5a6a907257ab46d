using MMInterleaved.Language;
using MMInterleaved.Model;
using static MMInterleaved.Experiments.AblationVariant;

namespace MMInterleaved.Experiments;

/// <summary>
/// The paper's comprehension ablations (Tables 6, 7, 8 and 17) mapped onto the glyph tasks: COCO-caption CIDEr → detail
/// captioning, OK-VQA → questions about colour, counts and comparisons, TextVQA → reading the glyph in a named cell. The
/// paper's 32 visual tokens become the small preset's 8, and its "8× the tokens" stays 8× (64). Paper numbers are typed
/// from the paper (MM-Interleaved, arXiv 2401.10208, Tables 6–8 and 17).
/// </summary>
public static class AblationCatalog
{
    /// <summary>Visual tokens of the "few tokens" arms (the paper's 32 at its scale).</summary>
    public const int FewTokens = 8;
    /// <summary>8× <see cref="FewTokens"/> (the paper's 256).</summary>
    public const int ManyTokens = 64;

    /// <summary>Table 6a: MMFS with few tokens against no MMFS with 8× the tokens (the paper's baseline: resampler tokens),
    /// and against the LLaVA-style baseline that keeps every ViT patch as a token (<see cref="AblationVariant.WithPatchTokens"/>;
    /// not in the paper's table: the positive control that shows a many-token model here reads the image, issue 17).</summary>
    public static AblationExperiment TokenEfficiency { get; } = WithTextOnly(new(
        "token-efficiency", "Token efficiency (paper Table 6a)",
        "With MMFS, a handful of visual tokens per image does better than 8× the tokens without MMFS, because MMFS reads " +
        "fine detail from the feature maps on demand instead of squeezing it into the tokens.",
        [
            new("mmfs-8", $"MMFS, {FewTokens} tokens", c => c.WithNumImageTokens(FewTokens), FewTokens),
            new("no-mmfs-64", $"no MMFS, {ManyTokens} tokens", c => WithMmfs(c.WithNumImageTokens(ManyTokens), false), ManyTokens),
            new(PatchTokensName, $"no MMFS, {ManyTokens} patch tokens (LLaVA-style)", WithPatchTokens, ManyTokens),
        ],
        [
            new("mmfs-8", "MMFS, 32 tokens", 110.6, 29.8, 27.7),
            new("no-mmfs-64", "no MMFS, 256 tokens", 107.0, 28.7, 22.5),
        ],
        [("mmfs-8", "no-mmfs-64"), ("mmfs-8", PatchTokensName)]));   // MMFS off at 8 tokens is Table 17's "resampler only" (resampler-and-mmfs)

    /// <summary>The patch-token baseline's arm name (every ViT patch a visual token: 64 at the small preset).</summary>
    public const string PatchTokensName = "patch-tokens-64";

    /// <summary>Table 6a's caption column: the same two arms trained on row-by-row detail captions of the whole grid (every
    /// cell's colour and glyph, about 60 tokens) and scored with CIDEr-D; the captioning analogue of COCO CIDEr. Its runs
    /// are its own (another training task), so it costs the full six runs.</summary>
    public static AblationExperiment TokenEfficiencyCaption { get; } = TokenEfficiency with
    {
        Id = "token-efficiency-caption",
        Title = "Token efficiency, detail captions (paper Table 6a, caption column)",
        Claim = "With MMFS, a handful of visual tokens per image describes an image in more detail than 8× the tokens without MMFS.",
        Task = AblationExperiment.CaptionTask,
    };

    /// <summary>Table 6b: doubling the input resolution with MMFS while the token count stays fixed. The paper doubles 224 →
    /// 448 px; here the doubling is 32 → 64 px (the small preset's own size is the doubled one): a 128-px encoder costs
    /// about 4× per step (its adapter's spatial prior runs at 16× the grid side), which no 60-minute budget holds. The
    /// 64-px arm is the token-efficiency experiment's "mmfs-8" run (reused).</summary>
    public static AblationExperiment InputResolution { get; } = WithTextOnly(new(
        "input-resolution", "Input resolution (paper Table 6b)",
        "With MMFS and a fixed number of visual tokens, doubling the input resolution helps: MMFS reads the finer feature " +
        "maps on demand, so detail grows without adding tokens to the language model.",
        [
            new("mmfs-8-half-res", $"MMFS, {FewTokens} tokens, half resolution", c => AtResolution(c.WithNumImageTokens(FewTokens), c.Vision.ImageSize / 2), FewTokens),
            new("mmfs-8", $"MMFS, {FewTokens} tokens, full resolution", c => c.WithNumImageTokens(FewTokens), FewTokens),
        ],
        [
            new("mmfs-8-half-res", "MMFS, 32 tokens, 224 px", 110.6, 29.8, null),
            new("mmfs-8", "MMFS, 32 tokens, 448 px", 111.0, 30.0, null),
        ],
        [("mmfs-8", "mmfs-8-half-res")]));

    /// <summary>Token counts of the sweep (with and without MMFS): the few-token arm, a quarter of it, and 8× it.</summary>
    public static IReadOnlyList<int> SweepTokens { get; } = [2, FewTokens, ManyTokens];

    /// <summary>Table 6a as a curve: accuracy over the visual-token budget with and without MMFS. Its 8- and 64-token arms
    /// are the same runs as token efficiency's and resampler-and-mmfs's (reused when those results exist).</summary>
    public static AblationExperiment TokenSweep { get; } = WithTextOnly(new(
        "token-sweep", "Token-count sweep (paper Table 6a as a curve)",
        "With MMFS, accuracy needs few visual tokens; without it, accuracy depends on how many tokens carry the image, and " +
        "MMFS stays ahead at every budget.",
        [
            .. SweepTokens.Select(k => new AblationVariant($"mmfs-{k}", $"MMFS, {k} tokens", c => c.WithNumImageTokens(k), k) { Series = "MMFS" }),
            .. SweepTokens.Select(k => new AblationVariant($"no-mmfs-{k}", $"no MMFS, {k} tokens", c => WithMmfs(c.WithNumImageTokens(k), false), k) { Series = "no MMFS" }),
        ],
        [
            new("mmfs-8", "MMFS, 32 tokens", 110.6, 29.8, 27.7),
            new("no-mmfs-64", "no MMFS, 256 tokens", 107.0, 28.7, 22.5),
        ],
        [.. SweepTokens.Select(k => ($"mmfs-{k}", $"no-mmfs-{k}"))]));

    /// <summary>For Figure 6 (left): MMFS on and off at the same 8 tokens, trained with 2-shot documents mixed in (one in
    /// three), so that the few-shot curves measure models that learned to use in-context examples, as the paper's models
    /// learn it from interleaved pre-training data. `mmi reproduce few-shot` evaluates these runs too.</summary>
    public static AblationExperiment InContextTraining { get; } = WithTextOnly(new(
        "in-context-training", "In-context training mix (for paper Figure 6, left)",
        "Trained with in-context examples, the model with MMFS keeps its lead as shots are added.",
        [
            new("mmfs-8", $"MMFS, {FewTokens} tokens", c => c.WithNumImageTokens(FewTokens), FewTokens),
            new("no-mmfs-8", $"no MMFS, {FewTokens} tokens", c => WithMmfs(c.WithNumImageTokens(FewTokens), false), FewTokens),
        ],
        [],
        [("mmfs-8", "no-mmfs-8")])
    {
        FewShotTrainingShots = 2,
    });

    /// <summary>Table 7: deformable MMFS against dense cross-attention on the same maps and on the resampler tokens.</summary>
    public static AblationExperiment CrossAttentionKinds { get; } = WithTextOnly(new(
        "cross-attention-kind", "Cross-attention kind (paper Table 7)",
        "Deformable sampling of the multi-scale feature maps beats dense cross-attention to the same maps and dense " +
        "cross-attention to the resampler's tokens (Flamingo-style).",
        [
            new("deformable", "MMFS (deformable, feature maps)", c => c),
            new("dense-maps", "dense cross-attention, feature maps", c => c with { CrossAttention = c.CrossAttention with { Kind = CrossAttentionKind.DenseFeatureMap } }),
            new("dense-tokens", "dense cross-attention, resampler tokens", c => c with { CrossAttention = c.CrossAttention with { Kind = CrossAttentionKind.DenseResamplerTokens } }),
        ],
        [
            new("deformable", "Deformable", 110.6, 29.8, 27.7),
            new("dense-maps", "Dense (feature map)", 108.5, 28.4, 23.6),
            new("dense-tokens", "Dense (resampler tokens)", 107.2, 28.9, 24.0),
        ],
        [("deformable", "dense-maps"), ("deformable", "dense-tokens")]));

    /// <summary>Table 8: single-scale single-image, + multi-scale, + multi-image.</summary>
    public static AblationExperiment ScalesAndImages { get; } = WithTextOnly(new(
        "multi-scale-multi-image", "Multi-scale and multi-image (paper Table 8)",
        "Sampling several scales of the feature pyramid helps, and letting text read every earlier image (not only the " +
        "latest) helps further.",
        [
            new("single-scale-single-image", "single scale, single image", c => c with { CrossAttention = c.CrossAttention with { FeatureLevels = [2], MultiImage = false } }),
            new("multi-scale-single-image", "multi-scale, single image", c => c with { CrossAttention = c.CrossAttention with { MultiImage = false } }),
            new("multi-scale-multi-image", "multi-scale, multi-image", c => c),
        ],
        [
            new("single-scale-single-image", "single-scale, single-image", 110.6, 29.8, 27.7),
            new("multi-scale-single-image", "+ multi-scale", 111.2, 30.3, 30.3),
            new("multi-scale-multi-image", "+ multi-image", 111.2, 31.1, 31.1),
        ],
        [("multi-scale-single-image", "single-scale-single-image"), ("multi-scale-multi-image", "multi-scale-single-image")])
    {
        IncludesMultiImage = true,
        StepScale = 1.5,
    });

    /// <summary>Table 17: resampler and MMFS are complementary.</summary>
    public static AblationExperiment Complementary { get; } = WithTextOnly(new(
        "resampler-and-mmfs", "Resampler and MMFS are complementary (paper Table 17)",
        "The resampler's tokens and MMFS's on-demand detail complement each other: dropping either hurts.",
        [
            new("both", "resampler + MMFS", c => c),
            new("resampler-only", "resampler only", c => WithMmfs(c, false)),
            new("mmfs-only", "MMFS only (learned queries)", c => c with { UseResampler = false }),
        ],
        [
            new("both", "Resampler + MMFS", 110.6, 29.8, 27.7),
            new("resampler-only", "Resampler only", 107.0, 28.7, 22.5),
            new("mmfs-only", "MMFS only", 102.7, 27.3, 22.0),
        ],
        [("both", "resampler-only"), ("both", "mmfs-only")]));

    /// <summary><paramref name="experiment"/> with the text-only arm added (<see cref="AblationVariant.TextOnlyArm"/>: the
    /// few-token MMFS model with the images removed). It is in no comparison: it shows the answer prior each arm must clear.
    /// Every experiment's is the same model, so experiments that share a training mix share its runs.</summary>
    private static AblationExperiment WithTextOnly(AblationExperiment experiment) =>
        experiment with { Variants = [.. experiment.Variants, TextOnlyArm(c => c.WithNumImageTokens(FewTokens))] };

    /// <summary>Every training ablation, in the order of the notebooks.</summary>
    public static IReadOnlyList<AblationExperiment> All { get; } = [TokenEfficiency, TokenEfficiencyCaption, InputResolution, TokenSweep, CrossAttentionKinds, ScalesAndImages, Complementary, InContextTraining];

    /// <summary>The experiment of that id, or a clear error listing them.</summary>
    public static AblationExperiment Get(string id) => All.FirstOrDefault(e => e.Id == id)
        ?? throw new ArgumentException($"unknown experiment '{id}'; the experiments are {string.Join(", ", All.Select(e => e.Id))} (or all).");
}
