using SkiaSharp;

namespace MMInterleaved.Data.Glyphs;

/// <summary>The dark background and the distractor marks of grid scenes, drawn from a render seed so a scene
/// renders identically every time.</summary>
internal static class SceneBackground
{
    /// <summary>A new square RGBA bitmap for a scene.</summary>
    public static SKBitmap NewBitmap(int size) => new(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));

    /// <summary>Fills the bitmap: a flat dark grey, or (texture on) a random dark tint with per-pixel luminance noise
    /// and a few large soft light or dark blobs.</summary>
    public static void Paint(SKBitmap bitmap, SKCanvas canvas, GlyphSceneOptions o, SeededRandom random)
    {
        if (!o.BackgroundTexture)
        {
            canvas.Clear(new SKColor(24, 24, 32));
            return;
        }
        int r0 = 14 + random.NextInt(36), g0 = 14 + random.NextInt(36), b0 = 18 + random.NextInt(40);
        ulong noiseSeed = random.NextUInt64();
        Span<byte> px = bitmap.GetPixelSpan();
        int n = bitmap.Width * bitmap.Height;
        for (int p = 0, j = 0; p < n; p++, j += 4)
        {
            int d = (int)(SeededRandom.Mix(noiseSeed + (ulong)p) >> 60) - 8; // uniform in −8…7
            px[j] = (byte)(r0 + d); px[j + 1] = (byte)(g0 + d); px[j + 2] = (byte)(b0 + d); px[j + 3] = 255;
        }
        bitmap.NotifyPixelsChanged();
        int blobs = 3 + random.NextInt(4);
        float s = bitmap.Width;
        using var paint = new SKPaint { IsAntialias = true };
        for (int i = 0; i < blobs; i++)
        {
            var centre = new SKPoint((float)random.NextDouble(0, s), (float)random.NextDouble(0, s));
            float radius = (float)random.NextDouble(0.1, 0.35) * s;
            byte alpha = (byte)random.NextInt(14, 32);
            var tone = random.NextBool() ? new SKColor(255, 255, 255, alpha) : new SKColor(0, 0, 0, alpha);
            using var shader = SKShader.CreateRadialGradient(centre, radius, [tone, tone.WithAlpha(0)], SKShaderTileMode.Clamp);
            paint.Shader = shader;
            canvas.DrawCircle(centre, radius, paint);
        }
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
