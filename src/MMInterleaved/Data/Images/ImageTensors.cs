using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Data.Images;

/// <summary>
/// Image files and bitmaps to and from the workbench's image tensors (float32 [3,H,W] in [0,1] on the CPU), with
/// SkiaSharp. Byte b becomes b/255 and back round(x·255), so a PNG round trip is exact. Alpha is dropped (the colour
/// channels are kept unpremultiplied, as PIL's convert("RGB") does).
/// </summary>
public static class ImageTensors
{
    private static readonly float[] ByteToUnit = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>An image tensor from RGBA8888 bytes (alpha ignored). Written straight into the tensor's memory: no
    /// managed float array (a large-object-heap allocation per image at 224 px).</summary>
    public static Tensor FromRgba(ReadOnlySpan<byte> rgba, int width, int height)
    {
        int plane = width * height;
        if (rgba.Length < plane * 4) throw new ArgumentException($"FromRgba: {rgba.Length} bytes hold fewer than {width}×{height}×4.", nameof(rgba));
        var result = empty([3, height, width], float32, CPU);
        using var storage = result.storage<float>(); // a fresh contiguous tensor: its data starts at the storage base
        unsafe
        {
            var data = new Span<float>((void*)storage.data_ptr(), 3 * plane);
            for (int p = 0, j = 0; p < plane; p++, j += 4)
            {
                data[p] = ByteToUnit[rgba[j]];
                data[plane + p] = ByteToUnit[rgba[j + 1]];
                data[2 * plane + p] = ByteToUnit[rgba[j + 2]];
            }
        }
        return result;
    }

    /// <summary>An image tensor from any bitmap (converted to unpremultiplied RGBA8888 first).</summary>
    public static Tensor FromBitmap(SKBitmap bitmap)
    {
        if (bitmap.ColorType == SKColorType.Rgba8888 && bitmap.AlphaType is SKAlphaType.Unpremul or SKAlphaType.Opaque)
            return FromRgba(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height);
        var info = new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bytes = new byte[info.BytesSize];
        using var pixmap = bitmap.PeekPixels();
        unsafe
        {
            fixed (byte* p = bytes)
                if (pixmap is null || !pixmap.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0))
                    throw new InvalidOperationException($"FromBitmap: cannot convert a {bitmap.ColorType}/{bitmap.AlphaType} bitmap to RGBA.");
        }
        return FromRgba(bytes, bitmap.Width, bitmap.Height);
    }

    /// <summary>An opaque RGBA8888 bitmap of an image tensor ([3,H,W], [1,H,W] or [H,W]; values clamped to [0,1]; any
    /// device or floating dtype).</summary>
    public static SKBitmap ToBitmap(Tensor image)
    {
        using var scope = NewDisposeScope();
        Tensor t = image.detach().to(CPU).to(float32);
        if (t.dim() == 2) t = t.unsqueeze(0);
        if (t.dim() != 3 || (t.shape[0] != 1 && t.shape[0] != 3))
            throw new ArgumentException($"ToBitmap: expected an image tensor of shape [3,H,W], [1,H,W] or [H,W], got [{string.Join(",", image.shape)}].");
        if (t.shape[0] == 1) t = t.expand(3, -1, -1);
        int h = (int)t.shape[1], w = (int)t.shape[2];
        byte[] rgb = t.clamp(0, 1).mul(255).round().to(uint8).permute(1, 2, 0).contiguous().data<byte>().ToArray();
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Span<byte> px = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            px[j] = rgb[i]; px[j + 1] = rgb[i + 1]; px[j + 2] = rgb[i + 2]; px[j + 3] = 255;
        }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }

    /// <summary>PNG bytes of an image tensor.</summary>
    public static byte[] EncodePng(Tensor image)
    {
        using var bitmap = ToBitmap(image);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Width and height from the file's header, without decoding pixels; throws InvalidDataException when
    /// SkiaSharp cannot read it as an image.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        using var codec = OpenCodec(path);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes a file after checking its header against <paramref name="limits"/>. Throws
    /// InvalidDataException (not an image, over the limits, or data that does not decode).</summary>
    public static SKBitmap DecodeBitmap(string path, ImageLimits? limits = null)
    {
        using var codec = OpenCodec(path);
        int w = codec.Info.Width, h = codec.Info.Height;
        if ((limits ?? ImageLimits.Default).Violation(w, h) is string why) throw new InvalidDataException($"{path}: {why}.");
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new InvalidDataException($"{path}: the image data does not decode ({result}).");
        }
        return bitmap;
    }

    /// <summary>Decodes a file to an image tensor; with <paramref name="size"/>, resized and centre-cropped to
    /// size×size (<see cref="ResizeCenterCrop(SKBitmap, int)"/>).</summary>
    public static Tensor Load(string path, ImageLimits? limits = null, int? size = null)
    {
        using var bitmap = DecodeBitmap(path, limits);
        if (size is not int s) return FromBitmap(bitmap);
        using var square = ResizeCenterCrop(bitmap, s);
        return FromBitmap(square);
    }

    /// <summary>
    /// The reference's evaluation transform (reference-spec §7.2): scale the short side to <paramref name="size"/>
    /// and keep the centred size×size square. As there, large reductions first halve the image with a 2×2 box
    /// filter while it stays at least twice the target, then resample with a bicubic (Catmull-Rom) filter. The crop
    /// is taken in continuous coordinates (no rounding of the offset).
    /// </summary>
    public static SKBitmap ResizeCenterCrop(SKBitmap source, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        SKBitmap current = source;
        try
        {
            while (Math.Min(current.Width, current.Height) >= 2 * size)
            {
                int hw = current.Width / 2, hh = current.Height / 2;
                var half = new SKBitmap(new SKImageInfo(hw, hh, SKColorType.Rgba8888, SKAlphaType.Premul));
                using (var canvas = new SKCanvas(half))
                using (var image = SKImage.FromBitmap(current))
                    // bilinear sampling at exactly half scale averages each 2×2 block: a box filter
                    canvas.DrawImage(image, new SKRect(0, 0, 2 * hw, 2 * hh), new SKRect(0, 0, hw, hh), new SKSamplingOptions(SKFilterMode.Linear), null);
                if (!ReferenceEquals(current, source)) current.Dispose();
                current = half;
            }
            float side = Math.Min(current.Width, current.Height);
            float left = (current.Width - side) / 2, top = (current.Height - side) / 2;
            var result = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(result))
            using (var image = SKImage.FromBitmap(current))
                canvas.DrawImage(image, new SKRect(left, top, left + side, top + side), new SKRect(0, 0, size, size),
                    new SKSamplingOptions(SKCubicResampler.CatmullRom), null);
            return result;
        }
        finally
        {
            if (!ReferenceEquals(current, source)) current.Dispose();
        }
    }

    /// <summary><see cref="ResizeCenterCrop(SKBitmap, int)"/> on an image tensor.</summary>
    public static Tensor ResizeCenterCrop(Tensor image, int size)
    {
        using var bitmap = ToBitmap(image);
        using var square = ResizeCenterCrop(bitmap, size);
        return FromBitmap(square);
    }

    private static SKCodec OpenCodec(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image file not found.", path);
        return SKCodec.Create(path, out var result)
            ?? throw new InvalidDataException($"{path}: not a readable image (SkiaSharp: {result}).");
    }
}
