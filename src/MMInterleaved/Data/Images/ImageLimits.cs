namespace MMInterleaved.Data.Images;

/// <summary>
/// The largest image a reader accepts. Files are checked against it from their header (<c>SKCodec</c>) before any
/// pixel is decoded, so a hostile or mistaken 100000×100000 file costs a header read, not gigabytes.
/// </summary>
/// <param name="MaxWidth">Largest width in pixels.</param>
/// <param name="MaxHeight">Largest height in pixels.</param>
/// <param name="MaxPixels">Largest width·height.</param>
public sealed record ImageLimits(int MaxWidth = 4096, int MaxHeight = 4096, long MaxPixels = 4096L * 4096)
{
    /// <summary>4096×4096 and 16.8 M pixels.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Null when a width×height image is allowed, otherwise what is wrong with it.</summary>
    public string? Violation(int width, int height)
    {
        if (width > MaxWidth) return $"image is {width}×{height}; its width is over the limit MaxWidth = {MaxWidth}";
        if (height > MaxHeight) return $"image is {width}×{height}; its height is over the limit MaxHeight = {MaxHeight}";
        if ((long)width * height > MaxPixels) return $"image is {width}×{height} = {(long)width * height} pixels; that is over the limit MaxPixels = {MaxPixels}";
        return null;
    }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public ImageLimits Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("ImageLimits: " + message); }
        Require(MaxWidth > 0, $"MaxWidth is {MaxWidth}; it must be positive.");
        Require(MaxHeight > 0, $"MaxHeight is {MaxHeight}; it must be positive.");
        Require(MaxPixels > 0, $"MaxPixels is {MaxPixels}; it must be positive.");
        return this;
    }
}
