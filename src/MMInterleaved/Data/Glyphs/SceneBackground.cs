using SkiaSharp;

namespace MMInterleaved.Data.Glyphs;

/// <summary>The dark background and the distractor marks of grid scenes, drawn from a render seed so a scene
/// renders identically every time.</summary>
internal static class SceneBackground
{
    /// <summary>A new square RGBA bitmap for a scene.</summary>
    public static SKBitmap NewBitmap(int size) => new(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));

    /// <summary>Fills the bitmap: a flat dark grey, or (texture on) a random dark tint with soft light and dark patches
    /// (value noise: a 5×5 grid of random levels, bilinearly interpolated) and per-pixel luminance noise. Computed
    /// per pixel in one pass, which costs a fraction of drawing gradient blobs.</summary>
    public static void Paint(SKBitmap bitmap, SKCanvas canvas, GlyphSceneOptions o, SeededRandom random)
    {
        if (!o.BackgroundTexture)
        {
            canvas.Clear(new SKColor(24, 24, 32));
            return;
        }
        const int Grid = 4, PatchAmplitude = 12;
        int r0 = 22 + random.NextInt(36), g0 = 22 + random.NextInt(36), b0 = 26 + random.NextInt(40);
        var levels = new float[(Grid + 1) * (Grid + 1)];
        for (int i = 0; i < levels.Length; i++) levels[i] = (float)(random.NextDouble(-1, 1) * PatchAmplitude);
        ulong noiseSeed = random.NextUInt64();
        int w = bitmap.Width, h = bitmap.Height;
        var cellX = new int[w];
        var fracX = new float[w];
        for (int x = 0; x < w; x++)
        {
            float u = (x + 0.5f) / w * Grid;
            cellX[x] = Math.Min((int)u, Grid - 1);
            fracX[x] = u - cellX[x];
        }
        // one 32-bit RGBA store per pixel (little-endian: R in the low byte); 4 noise values per hash. Levels stay in
        // ±PatchAmplitude and noise in −8…7, so every channel stays within 2…76: no clamping needed.
        Span<uint> px = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        ulong hash = 0;
        for (int y = 0, p = 0; y < h; y++)
        {
            float v = (y + 0.5f) / h * Grid;
            int cy = Math.Min((int)v, Grid - 1);
            float fy = v - cy;
            for (int x = 0; x < w; x++, p++)
            {
                int k = cy * (Grid + 1) + cellX[x];
                float fx = fracX[x];
                float top = levels[k] + (levels[k + 1] - levels[k]) * fx;
                float bottom = levels[k + Grid + 1] + (levels[k + Grid + 2] - levels[k + Grid + 1]) * fx;
                if ((p & 3) == 0) hash = SeededRandom.Mix(noiseSeed + (ulong)(p >> 2));
                int d = (int)MathF.Round(top + (bottom - top) * fy) + (int)((hash >> (16 * (p & 3) + 12)) & 15) - 8;
                px[p] = (uint)(r0 + d) | (uint)(g0 + d) << 8 | (uint)(b0 + d) << 16 | 0xFF000000u;
            }
        }
        bitmap.NotifyPixelsChanged();
    }

    /// <summary>Small dots and short strokes in palette colours, anywhere in the image, drawn before the items so
    /// items stay whole. They are smaller than any glyph stroke pattern (at most a third of a glyph's height).</summary>
    public static void PaintDistractors(SKCanvas canvas, GlyphSceneOptions o, SeededRandom random, IReadOnlyList<GlyphColor> colors)
    {
        if (o.Distractors == 0) return;
        float s = o.ImageSize, hg = (float)o.GlyphHeight, sw = (float)(o.StrokeWidth * o.GlyphHeight);
        using var paint = new SKPaint { IsAntialias = true, StrokeCap = SKStrokeCap.Round };
        for (int i = 0; i < o.Distractors; i++)
        {
            var c = random.Choose(colors);
            paint.Color = new SKColor(c.R, c.G, c.B, 200);
            float x = (float)random.NextDouble(0, s), y = (float)random.NextDouble(0, s);
            if (random.NextBool())
            {
                paint.Style = SKPaintStyle.Fill;
                canvas.DrawCircle(x, y, sw * (float)random.NextDouble(0.5, 0.9), paint);
            }
            else
            {
                double length = hg * random.NextDouble(0.15, 0.33), angle = random.NextDouble(0, Math.PI);
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = sw * 0.7f;
                canvas.DrawLine(x, y, x + (float)(length * Math.Cos(angle)), y + (float)(length * Math.Sin(angle)), paint);
            }
        }
    }
}
