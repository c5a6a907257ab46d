using MMInterleaved.Data.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Visualization;

/// <summary>
/// An image ready to look at: PNG bytes made from an image tensor ([3,H,W], [1,H,W] or [H,W], values in [0,1])
/// with SkiaSharp. Notebooks show it as a picture (see notebooks/workbench.csx); it can also be saved.
/// </summary>
public sealed class ImageView
{
    private ImageView(byte[] png, int width, int height) => (Png, Width, Height) = (png, width, height);

    /// <summary>PNG-encoded pixels.</summary>
    public byte[] Png { get; }
    /// <summary>Width in pixels (before display scaling).</summary>
    public int Width { get; }
    /// <summary>Height in pixels (before display scaling).</summary>
    public int Height { get; }
    /// <summary>Display magnification used by <see cref="ToHtml"/> (pixelated, so small images stay sharp).</summary>
    public int Scale { get; init; } = 1;

    /// <summary>Encodes an image tensor; values are clamped to [0,1]. Any device or floating dtype.</summary>
    public static ImageView FromTensor(Tensor image, int scale = 1)
    {
        using var bitmap = ImageTensors.ToBitmap(image);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return new ImageView(data.ToArray(), bitmap.Width, bitmap.Height) { Scale = Math.Max(1, scale) };
    }

    /// <summary>An &lt;img&gt; element with the PNG inlined as a data URI.</summary>
    public string ToHtml() =>
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" width=\"{Width * Scale}\" height=\"{Height * Scale}\" style=\"image-rendering: pixelated\" />";

    /// <summary>Writes the PNG file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, Png);
}
