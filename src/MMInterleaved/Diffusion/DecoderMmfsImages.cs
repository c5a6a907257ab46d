namespace MMInterleaved.Diffusion;

/// <summary>Which earlier images the UNet's MMFS reads when generating an image.</summary>
public enum DecoderMmfsImages
{
    /// <summary>Only the image just before it in the same segment (the reference).</summary>
    Previous,
    /// <summary>Every earlier image of the segment (beyond the reference; asked for in its issue tracker, #8).</summary>
    AllPrevious,
}
