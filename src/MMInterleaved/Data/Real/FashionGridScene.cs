using MMInterleaved.Data.Glyphs;
using SkiaSharp;

namespace MMInterleaved.Data.Real;

/// <summary>
/// Fashion-MNIST items on a grid, each tinted with a palette colour (intensity × colour, so colour questions work as
/// with glyphs) and drawn at side GlyphScale·cell with bilinear filtering, over the glyph scenes' background.
/// </summary>
public sealed class FashionGridScene : PaintedGridScene
{
    private readonly FashionMnist _data;

    internal FashionGridScene(FashionMnist data, GlyphSceneOptions options, IReadOnlyList<FashionGridItem> placed, ulong renderSeed)
        : base(options, placed.Select(p => new GridItem(p.Row, p.Column, FashionGridSampler.KindOf(p.Label), p.Color.Name, p.Box)).ToArray(), renderSeed)
    {
        _data = data;
        Placed = placed;
    }

    /// <summary>The items in reading order.</summary>
    public IReadOnlyList<FashionGridItem> Placed { get; }

    /// <inheritdoc/>
    public override string ItemNoun => "item";

    /// <summary>The pixel box of an item drawn at (cx, cy) with the given side: its non-zero source pixels, grown by
    /// half a source pixel (the reach of bilinear filtering), rounded outwards. Null for an all-zero item.</summary>
    internal static PixelBox? BoxOf(ReadOnlySpan<byte> pixels, int rows, int columns, float cx, float cy, float side)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < columns; x++)
                if (pixels[y * columns + x] != 0) { x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x); y1 = Math.Max(y1, y); }
        if (x1 < 0) return null;
        double sx = side / columns, sy = side / rows, left = cx - side / 2.0, top = cy - side / 2.0;
        return PixelBox.Covering(
            Math.Max(left, left + (x0 - 0.5) * sx), Math.Max(top, top + (y0 - 0.5) * sy),
            Math.Min(left + side, left + (x1 + 1.5) * sx), Math.Min(top + side, top + (y1 + 1.5) * sy));
    }

    /// <inheritdoc/>
    protected override void DrawItem(SKCanvas canvas, int index)
    {
        var p = Placed[index];
        using var tinted = Tinted(_data.Image(p.DatasetIndex), _data.Rows, _data.Columns, p.Color);
        using var image = SKImage.FromBitmap(tinted);
        float half = p.Side / 2;
        canvas.DrawImage(image, new SKRect(p.CenterX - half, p.CenterY - half, p.CenterX + half, p.CenterY + half), new SKSamplingOptions(SKFilterMode.Linear));
    }

    // The item as premultiplied RGBA: coverage = intensity, colour = the tint.
    private static SKBitmap Tinted(ReadOnlySpan<byte> pixels, int rows, int columns, GlyphColor c)
    {
        var bitmap = new SKBitmap(new SKImageInfo(columns, rows, SKColorType.Rgba8888, SKAlphaType.Premul));
        Span<byte> px = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < pixels.Length; i++, j += 4)
        {
            int a = pixels[i];
            px[j] = (byte)((c.R * a + 127) / 255); px[j + 1] = (byte)((c.G * a + 127) / 255); px[j + 2] = (byte)((c.B * a + 127) / 255); px[j + 3] = (byte)a;
        }
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }
}
