namespace MMInterleaved.Experiments;

/// <summary>The paper's generation claims as experiments on the built-in glyph tasks (issue: generation tasks and
/// claims). Paper numbers typed from MM-Interleaved (arXiv 2401.10208), Table 6c.</summary>
public static class GenerationCatalog
{
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
    /// Table 5b-style storytelling (the last frame of a glyph story from the frames and sentences before it) with and
    /// without MMFS in the image decoder, and the reference's previous-image-only MMFS against reading every earlier
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
        new Dictionary<string, double>()) { GridSide = 2 };

    /// <summary>Every generation experiment.</summary>
    public static IReadOnlyList<GenerationExperiment> All { get; } = [SegToImage, Story];

    /// <summary>The experiment of that id, or null.</summary>
    public static GenerationExperiment? Find(string id) => All.FirstOrDefault(e => e.Id == id);
}
