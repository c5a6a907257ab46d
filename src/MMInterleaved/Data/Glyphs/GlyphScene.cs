using SkiaSharp;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// A sampled glyph layout (per filled cell: kind, colour, size, exact pixel box) and its rendering. Sampling and
/// rendering depend only on the options and the random stream, so (seed, index) names the same picture everywhere.
/// </summary>
public sealed class GlyphScene : PaintedGridScene
{
    private GlyphScene(GlyphSceneOptions options, IReadOnlyList<PlacedGlyph> glyphs, ulong renderSeed)
        : base(options, glyphs.Select(g => new GridItem(g.Row, g.Column, GlyphShapes.Describe(g.Kind), g.Color.Name, g.Box)).ToArray(), renderSeed)
    {
        Glyphs = glyphs;
    }

    /// <summary>The glyphs in reading order.</summary>
    public IReadOnlyList<PlacedGlyph> Glyphs { get; }

    /// <inheritdoc/>
    public override string ItemNoun => "glyph";

    /// <summary>Draws a scene: per cell in reading order whether it is filled, then per filled cell the kind, the colour,
    /// the size and the offset; last the render seed.</summary>
    public static GlyphScene Sample(GlyphSceneOptions options, SeededRandom random)
    {
        options.Validated();
        var kinds = GlyphShapes.KindsOf(options.Kinds);
        var colors = GlyphPalette.Colors.Take(options.ColorCount).ToArray();
        bool[] filled = SceneLayout.FilledCells(options, random);
        var glyphs = new List<PlacedGlyph>();
        for (int cell = 0; cell < filled.Length; cell++)
        {
            if (!filled[cell]) continue;
            int row = cell / options.GridSide, column = cell % options.GridSide;
            var kind = random.Choose(kinds);
            var color = random.Choose(colors);
            var (cx, cy, h) = SceneLayout.Place(options, random, row, column, GlyphShapes.Aspect(kind));
            var box = GlyphShapes.Box(kind, cx, cy, h, options.StrokeWidth).ClampTo(options.ImageSize, options.ImageSize);
            glyphs.Add(new PlacedGlyph(row, column, kind, color, cx, cy, h, box));
        }
        return new GlyphScene(options, glyphs, random.NextUInt64());
    }

    /// <summary>Scene <paramref name="index"/> of the stream named by <paramref name="seed"/>.</summary>
    public static GlyphScene Sample(GlyphSceneOptions options, long seed, long index) =>
        Sample(options, SeededRandom.For((ulong)seed, (ulong)index));

    /// <summary>The same picture (options, background and distractors from the same render seed) with other glyphs, in
    /// reading order: a later frame of a story, where the text says what changed.</summary>
    public GlyphScene With(IReadOnlyList<PlacedGlyph> glyphs) =>
        new(Options, glyphs.OrderBy(g => g.Row).ThenBy(g => g.Column).ToArray(), RenderSeed);

    /// <inheritdoc/>
    protected override void DrawItem(SKCanvas canvas, int index)
    {
        var g = Glyphs[index];
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = new SKColor(g.Color.R, g.Color.G, g.Color.B) };
        using var path = GlyphShapes.Outline(g.Kind, g.CenterX, g.CenterY, g.Height, Options.StrokeWidth);
        canvas.DrawPath(path, paint);
    }
}
