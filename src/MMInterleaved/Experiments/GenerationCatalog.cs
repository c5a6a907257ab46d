namespace MMInterleaved.Experiments;

/// <summary>The paper's generation claims as experiments on the built-in glyph tasks (issue: generation tasks and
/// claims). Paper numbers typed from MM-Interleaved (arXiv 2401.10208), Table 6c.</summary>
public static class GenerationCatalog
{
    private const string AllFramesPrefix = GenerationExperiment.AllFramesPrefix;

    /// <summary>Table 6c: segmentation-to-image with and without MMFS in the image decoder. With one previous image (the
    /// map) the reference's previous-image-only and the all-previous-images option read the same image, so the option is
    /// compared on stories, not here.</summary>
    public static GenerationExperiment SegToImage { get; } = new(
        "seg-to-image", "Segmentation-to-image, MMFS in the image decoder (paper Table 6c)",
        "MMFS in the image decoder carries the segmentation map's layout into the generated image (mIoU 0.40 on ADE20K); " +
        "without it the layout is lost (0.00).",
        "glyph-seg-to-image",
        [
            new("mmfs", "MMFS in the UNet (reference)", c => c),
            new("no-unet-mmfs", "no UNet MMFS", c => c with { ImageDecoder = c.ImageDecoder! with { Mmfs = null } }),
        ],
        "miou", "mmfs", "no-unet-mmfs",
        new Dictionary<string, double> { ["mmfs"] = 0.40, ["no-unet-mmfs"] = 0.00, ["real"] = 0.58 });

    /// <summary>
    /// Table 5b-style storytelling (the last frame of a glyph story from the frames and sentences before it; and, as Table
    /// 5c, every frame after the first in turn, each written back, keyed <c>all_frames.</c>) with and without MMFS in the
    /// image decoder, and the reference's previous-image-only MMFS against reading every earlier
    /// frame (<see cref="Diffusion.DecoderMmfsImages.AllPrevious"/>). Decided on the cells' colours of the generated last
    /// frame; the paper reports CLIP similarity and FID on VIST, not comparable numbers, so there is no paper row.
    /// </summary>
    public static GenerationExperiment Story { get; } = new(
        "story-decoder-mmfs", "Storytelling, MMFS in the image decoder (paper Table 5b; previous frame vs every earlier frame)",
        "With MMFS the image decoder reads the earlier frames' detail, so a story's next frame keeps what persists and changes " +
        "what the text says; without it everything must pass through the condition tokens.",
        "glyph-story",
        [
            new("mmfs", "MMFS on the previous frame (reference)", c => c),
            new("mmfs-all-previous", "MMFS on every earlier frame", c => c with { ImageDecoder = c.ImageDecoder! with { MmfsImages = Diffusion.DecoderMmfsImages.AllPrevious } }),
            new("no-unet-mmfs", "no UNet MMFS", c => c with { ImageDecoder = c.ImageDecoder! with { Mmfs = null } }),
        ],
        "cell_color", "mmfs", "no-unet-mmfs",
        new Dictionary<string, double>())
    {
        GridSide = 2,
        AlsoAllFrames = true,
        Columns = ["cell_color", "cell_color_changed", "cell_color_unchanged", "cell_color_changed_copy_previous", "similarity", "similarity_previous",
            AllFramesPrefix + "cell_color", AllFramesPrefix + "cell_color_changed", AllFramesPrefix + "cell_color_unchanged", AllFramesPrefix + "similarity"],
    };

    /// <summary>
    /// Table 16: the loss terms of joint training on text-to-image, captioning and VQA (<see cref="LossTermsTask"/>):
    /// the text loss only (λ = 0), the image loss only (text weight 0), and both with the image loss weighted λ = 1, 10
    /// (the reference's default) and 100. Decided on the generated cells' colours, λ = 10 against λ = 1 (the paper raises
    /// the image weight so that generation learns); captions (CIDEr-D, BLEU-4) and VQA are reported beside it, as the
    /// table's other columns. The paper's values are not typed in here: its Table 16 is on COCO/Flickr30k/OK-VQA, not
    /// comparable, so there is no paper row.
    /// </summary>
    public static GenerationExperiment LossTerms { get; } = new(
        "loss-terms", "Loss terms of joint training: text only, image only, both with λ = 1, 10, 100 (paper Table 16)",
        "Trained jointly, the model needs both losses for both abilities, and the image loss weighted up (λ = 10) for " +
        "generation to learn beside text, without giving up captioning and VQA.",
        LossTermsTask,
        [
            new("text-only", "text loss only", c => c with { ImageDecoder = c.ImageDecoder! with { LossWeight = 0 } }),
            new("image-only", "image loss only", c => c with { LossTextWeight = 0 }),
            new("lambda-1", "both, λ = 1", c => c with { ImageDecoder = c.ImageDecoder! with { LossWeight = 1 } }),
            new("lambda-10", "both, λ = 10 (reference)", c => c with { ImageDecoder = c.ImageDecoder! with { LossWeight = 10 } }),
            new("lambda-100", "both, λ = 100", c => c with { ImageDecoder = c.ImageDecoder! with { LossWeight = 100 } }),
        ],
        "cell_color", "lambda-10", "lambda-1",
        new Dictionary<string, double>())
    {
        Steps = 2000,   // with LossTermsTask's weights, at least the single-task recipe's 1000 steps of generated images
        AlsoScored = ["glyph-caption", "glyph-vqa"],
        CellKinds = true,
        Columns = ["cell_color", "cell_color_other_scene", "cell_kind", "cell_fidelity", "fid_glyph",
            GenerationExperiment.ScoreKey("glyph-caption", "CIDEr"), GenerationExperiment.ScoreKey("glyph-caption", "Bleu_4"), GenerationExperiment.ScoreKey("glyph-vqa", "overall"),
            GenerationRunner.TrainImageTargets],
    };

    /// <summary>
    /// Table 6a's generation column: the token-efficiency arms (MMFS with 8 visual tokens, no decoder MMFS with 64; the
    /// image decoder keeps its MMFS in both) trained jointly on text-to-image and VQA, six text-to-image documents to one
    /// VQA document (<see cref="JointTask"/>), and scored on both. The visual-token count is also the width of the condition the decoder hands the UNet (the hidden
    /// states at the generated image's query positions), so generation can differ even with no input image. One-glyph
    /// scenes (--grid 1), where this model learns to draw; its questions are about that glyph.
    /// </summary>
    public static GenerationExperiment TokenEfficiencyGeneration { get; } = Joint(
        "token-efficiency-generation", "Token efficiency, generation column (paper Table 6a)",
        "With MMFS, a handful of visual tokens generates images as well as 8× the tokens without MMFS, while understanding " +
        "better.", AblationCatalog.TokenEfficiency, "mmfs-8", "no-mmfs-64");

    /// <summary>Table 17's generation column: resampler + MMFS, resampler only and MMFS only (learned queries), trained
    /// jointly as <see cref="TokenEfficiencyGeneration"/>.</summary>
    public static GenerationExperiment ComplementaryGeneration { get; } = Joint(
        "resampler-and-mmfs-generation", "Resampler and MMFS, generation column (paper Table 17)",
        "The resampler's tokens and MMFS complement each other in generation as in understanding: dropping either hurts.",
        AblationCatalog.Complementary, "both", "resampler-only");

    /// <summary>The joint experiments' mixture: six text-to-image documents to one VQA document. Alternating one of each,
    /// a VQA document (an image and four questions) filled most of a packed row, so a step of 4 rows learned from 4
    /// generated images with 8 visual tokens and 2 with 64, against 21 and 8 on text-to-image alone, and neither arm drew
    /// from its caption in 2000 steps (results/token-efficiency-generation-alternating-2000). Six is the smallest weight
    /// whose MMFS arm gets at least the single-task recipe's images in 2000 steps (12 and 6 per step; 2 and 1 VQA images),
    /// chosen on these counts, not on any score.</summary>
    public const string JointTask = "glyph-text-to-image*6+glyph-vqa";

    /// <summary>Table 16's mixture, weighted as <see cref="JointTask"/> for the same reason: one document of each task in
    /// turn gave 4 generated images per 4-row step, 3:1:1 about 7 and 6:1:1 about 12 (the 8-token preset, measured with
    /// the logged image_targets), so 2000 steps of 6:1:1 hold more than the single-task recipe's 1000 steps.</summary>
    public const string LossTermsTask = "glyph-text-to-image*6+glyph-caption+glyph-vqa";

    // A comprehension ablation's arms (the same config changes) trained on text-to-image + VQA and scored on both.
    private static GenerationExperiment Joint(string id, string title, string claim, AblationExperiment arms, string better, string worse) => new(
        id, title, claim, JointTask,
        // generation needs the images; the patch-token arm is comprehension's positive control, not one of the paper's arms
        [.. arms.Variants.Where(v => !v.TextOnly && v.Name != AblationCatalog.PatchTokensName).Select(v => new GenerationArm(v.Name, v.Label, v.Configure))],
        "cell_color", better, worse, new Dictionary<string, double>())
    {
        Steps = 2000,   // with JointTask's weights, at least the single-task recipe's 1000 steps of generated images for the MMFS arm
        AlsoScored = ["glyph-vqa"],
        Columns = ["cell_color", "cell_color_other_scene", "cell_color_own_minus_other", "condition_spread", GenerationExperiment.ScoreKey("glyph-vqa", "overall"),
            GenerationRunner.TrainImageTargets],
    };

    /// <summary>Every generation experiment.</summary>
    public static IReadOnlyList<GenerationExperiment> All { get; } = [SegToImage, Story, LossTerms, TokenEfficiencyGeneration, ComplementaryGeneration];

    /// <summary>The experiment of that id, or null.</summary>
    public static GenerationExperiment? Find(string id) => All.FirstOrDefault(e => e.Id == id);
}
