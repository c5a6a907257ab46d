using SkiaSharp;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// Glyph geometry, defined here rather than taken from a font so every machine draws the same shapes. Digits and
/// letters are polylines in a unit box (x right, y down) stroked with round caps and joins: seven-segment-like
/// forms with a few diagonals (2, 4, 7, K) that stay distinct at 8 px. The skeleton is inset by half the stroke
/// width, so the drawn glyph fills its box exactly.
/// </summary>
public static class GlyphShapes
{
    private static readonly (float X, float Y)[][] NoStrokes = [];

    // Polylines per stroked kind (Digit0 is an oval, drawn separately).
    private static readonly Dictionary<GlyphKind, (float X, float Y)[][]> Strokes = new()
    {
        [GlyphKind.Digit1] = [[(0.2f, 0.22f), (0.55f, 0f), (0.55f, 1f)], [(0.2f, 1f), (0.9f, 1f)]],
        [GlyphKind.Digit2] = [[(0f, 0.2f), (0.2f, 0f), (0.8f, 0f), (1f, 0.2f), (1f, 0.4f), (0f, 1f), (1f, 1f)]],
        [GlyphKind.Digit3] = [[(0f, 0f), (1f, 0f), (1f, 1f), (0f, 1f)], [(0.3f, 0.5f), (1f, 0.5f)]],
        [GlyphKind.Digit4] = [[(0.75f, 1f), (0.75f, 0f), (0f, 0.65f), (1f, 0.65f)]],
        [GlyphKind.Digit5] = [[(1f, 0f), (0f, 0f), (0f, 0.45f), (1f, 0.45f), (1f, 1f), (0f, 1f)]],
        [GlyphKind.Digit6] = [[(1f, 0f), (0f, 0f), (0f, 1f), (1f, 1f), (1f, 0.5f), (0f, 0.5f)]],
        [GlyphKind.Digit7] = [[(0f, 0f), (1f, 0f), (0.35f, 1f)]],
        [GlyphKind.Digit8] = [[(0f, 0f), (1f, 0f), (1f, 1f), (0f, 1f), (0f, 0f)], [(0f, 0.5f), (1f, 0.5f)]],
        [GlyphKind.Digit9] = [[(1f, 0.5f), (0f, 0.5f), (0f, 0f), (1f, 0f), (1f, 1f), (0f, 1f)]],
        [GlyphKind.LetterE] = [[(1f, 0f), (0f, 0f), (0f, 1f), (1f, 1f)], [(0f, 0.5f), (0.8f, 0.5f)]],
        [GlyphKind.LetterF] = [[(1f, 0f), (0f, 0f), (0f, 1f)], [(0f, 0.5f), (0.8f, 0.5f)]],
        [GlyphKind.LetterH] = [[(0f, 0f), (0f, 1f)], [(1f, 0f), (1f, 1f)], [(0f, 0.5f), (1f, 0.5f)]],
        [GlyphKind.LetterK] = [[(0f, 0f), (0f, 1f)], [(1f, 0f), (0f, 0.6f)], [(0.32f, 0.4f), (1f, 1f)]],
        [GlyphKind.LetterL] = [[(0f, 0f), (0f, 1f), (1f, 1f)]],
        [GlyphKind.LetterT] = [[(0f, 0f), (1f, 0f)], [(0.5f, 0f), (0.5f, 1f)]],
        [GlyphKind.Cross] = [[(0.5f, 0f), (0.5f, 1f)], [(0f, 0.5f), (1f, 0.5f)]],
    };

    /// <summary>All kinds in enum order.</summary>
    public static IReadOnlyList<GlyphKind> AllKinds { get; } = Enum.GetValues<GlyphKind>();

    /// <summary>The kinds of a set, in enum order.</summary>
    public static IReadOnlyList<GlyphKind> KindsOf(GlyphKindSet set) => AllKinds.Where(k => (set & SetOf(k)) != 0).ToArray();

    /// <summary>The group a kind belongs to.</summary>
    public static GlyphKindSet SetOf(GlyphKind kind) => kind switch
    {
        <= GlyphKind.Digit9 => GlyphKindSet.Digits,
        <= GlyphKind.LetterT => GlyphKindSet.Letters,
        _ => GlyphKindSet.Shapes,
    };

    /// <summary>How text names the kind: "7" / "letter e" / "circle"; answers are "7", "e", "circle".</summary>
    public static GridKind Describe(GlyphKind kind) => SetOf(kind) switch
    {
        GlyphKindSet.Digits => new(((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture), ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture), "digit"),
        GlyphKindSet.Letters => new(kind.ToString()[^1..].ToLowerInvariant(), "letter " + kind.ToString()[^1..].ToLowerInvariant(), "letter"),
        _ => new(kind.ToString().ToLowerInvariant(), kind.ToString().ToLowerInvariant(), "shape"),
    };

    /// <summary>Width ÷ height: 0.6 for digits and letters, 1 for shapes.</summary>
    public static float Aspect(GlyphKind kind) => SetOf(kind) == GlyphKindSet.Shapes ? 1f : 0.6f;

    /// <summary>Whether the kind is filled rather than stroked.</summary>
    public static bool IsFilled(GlyphKind kind) => kind is GlyphKind.Circle or GlyphKind.Square or GlyphKind.Triangle;

    /// <summary>Stroke width in pixels for a glyph of height <paramref name="height"/> (0 for filled kinds).</summary>
    public static float StrokeWidthOf(GlyphKind kind, float height, double strokeFraction) =>
        IsFilled(kind) ? 0f : (float)(height * strokeFraction * (kind == GlyphKind.Cross ? 1.6 : 1.0));

    /// <summary>The glyph's path centred at (cx, cy) with the given height: an outline to fill for filled kinds,
    /// otherwise the skeleton to stroke with <see cref="StrokeWidthOf"/>.</summary>
    public static SKPath Path(GlyphKind kind, float cx, float cy, float height, double strokeFraction)
    {
        float w = Aspect(kind) * height, sw = StrokeWidthOf(kind, height, strokeFraction);
        float left = cx - w / 2 + sw / 2, top = cy - height / 2 + sw / 2, iw = w - sw, ih = height - sw;
        var path = new SKPath();
        switch (kind)
        {
            case GlyphKind.Digit0 or GlyphKind.Circle:
                path.AddOval(new SKRect(left, top, left + iw, top + ih));
                break;
            case GlyphKind.Square:
                path.AddRect(new SKRect(left, top, left + iw, top + ih));
                break;
            case GlyphKind.Triangle:
                path.MoveTo(left + iw / 2, top); path.LineTo(left + iw, top + ih); path.LineTo(left, top + ih); path.Close();
                break;
            default:
                foreach (var line in Strokes.GetValueOrDefault(kind, NoStrokes))
                {
                    path.MoveTo(left + line[0].X * iw, top + line[0].Y * ih);
                    for (int i = 1; i < line.Length; i++) path.LineTo(left + line[i].X * iw, top + line[i].Y * ih);
                }
                break;
        }
        return path;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(GlyphKind, double), SKPath> UnitOutlines = new();

    /// <summary>
    /// The glyph's filled outline centred at (cx, cy) with the given height: for stroked kinds the stroke already
    /// turned into an area. Every dimension of a glyph is proportional to its height, so the outline is computed
    /// once per kind at height 1 (stroked with a fine tolerance so it stays smooth when scaled up) and then only
    /// scaled and moved: rendering skips the stroker, the dearest part of drawing a glyph.
    /// </summary>
    public static SKPath Outline(GlyphKind kind, float cx, float cy, float height, double strokeFraction)
    {
        var unit = UnitOutlines.GetOrAdd((kind, strokeFraction), key =>
        {
            using var skeleton = Path(key.Item1, 0, 0, 1, key.Item2);
            if (IsFilled(key.Item1)) return new SKPath(skeleton);
            using var paint = new SKPaint
            {
                Style = SKPaintStyle.Stroke, StrokeWidth = StrokeWidthOf(key.Item1, 1, key.Item2),
                StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
            };
            var outline = new SKPath();
            paint.GetFillPath(skeleton, outline, 1024f); // resolution scale: tolerances fit glyphs up to ~1000 px
            return outline;
        });
        var path = new SKPath();
        unit.Transform(SKMatrix.CreateScaleTranslation(height, height, cx, cy), path);
        return path;
    }

    /// <summary>The pixel box holding every pixel the glyph touches: the path's tight bounds, grown by half the stroke
    /// width for stroked kinds (round caps and joins stay within that), then rounded outwards.</summary>
    public static PixelBox Box(GlyphKind kind, float cx, float cy, float height, double strokeFraction)
    {
        using var path = Path(kind, cx, cy, height, strokeFraction);
        SKRect b = path.TightBounds;
        float r = StrokeWidthOf(kind, height, strokeFraction) / 2;
        return PixelBox.Covering(b.Left - r, b.Top - r, b.Right + r, b.Bottom + r);
    }
}
