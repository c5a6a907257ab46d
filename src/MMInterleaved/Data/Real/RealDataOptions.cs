using MMInterleaved.Data.Images;

namespace MMInterleaved.Data.Real;

/// <summary>How the real-data loaders treat images.</summary>
/// <param name="ImageSize">Resize (short side) and centre-crop every image to this side when it loads; null keeps the
/// file's size.</param>
/// <param name="Limits">Largest image accepted, checked from the header before decoding (null: 4096×4096).</param>
/// <param name="SkipMissingImages">Leave out entries whose image file is absent instead of failing.</param>
/// <param name="Lowercase">Lower-case captions and answers (the reference lower-cases captions).</param>
public sealed record RealDataOptions(int? ImageSize = null, ImageLimits? Limits = null, bool SkipMissingImages = false, bool Lowercase = true)
{
    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public RealDataOptions Validated()
    {
        if (ImageSize is <= 0) throw new ArgumentException($"RealDataOptions: ImageSize is {ImageSize}; it must be positive or null.");
        Limits?.Validated();
        return this;
    }
}
