using SkiaSharp;
using TorchSharp;
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
        using var scope = NewDisposeScope();
        Tensor t = image.detach().to(CPU).to(float32);
        if (t.dim() == 2) t = t.unsqueeze(0);
        if (t.dim() != 3 || (t.shape[0] != 1 && t.shape[0] != 3))
            throw new ArgumentException($"ImageView.FromTensor: expected an image tensor of shape [3,H,W], [1,H,W] or [H,W], got [{string.Join(",", image.shape)}].");
        if (t.shape[0] == 1) t = t.expand(3, -1, -1);
        int h = (int)t.shape[1], w = (int)t.shape[2];
        byte[] rgb = t.clamp(0, 1).mul(255).round().to(uint8).permute(1, 2, 0).contiguous().data<byte>().ToArray();

        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[w * h * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            pixels[j] = rgb[i]; pixels[j + 1] = rgb[i + 1]; pixels[j + 2] = rgb[i + 2]; pixels[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return new ImageView(data.ToArray(), w, h) { Scale = Math.Max(1, scale) };
    }

    /// <summary>An &lt;img&gt; element with the PNG inlined as a data URI.</summary>
    public string ToHtml() =>
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" width=\"{Width * Scale}\" height=\"{Height * Scale}\" style=\"image-rendering: pixelated\" />";

    /// <summary>Writes the PNG file.</summary>
    public void Save(string path) => File.WriteAllBytes(path, Png);
}
