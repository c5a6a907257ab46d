using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class GlyphSceneTests
{
    /// <summary>Pixels (x, y) whose colour changes when glyph <paramref name="index"/> is left out.</summary>
    internal static List<(int X, int Y)> DrawnPixels(GlyphScene scene, int index)
    {
        using var all = scene.RenderBitmap();
        using var without = scene.RenderBitmap(omit: index);
        var a = all.GetPixelSpan().ToArray();
        var b = without.GetPixelSpan().ToArray();
        var pixels = new List<(int, int)>();
        for (int p = 0; p < a.Length / 4; p++)
            if (a[4 * p] != b[4 * p] || a[4 * p + 1] != b[4 * p + 1] || a[4 * p + 2] != b[4 * p + 2])
                pixels.Add((p % all.Width, p / all.Width));
        return pixels;
    }

    [Fact]
    public void Same_seed_and_index_render_identical_png_bytes_and_others_differ()
    {
        var o = new GlyphSceneOptions(Distractors: 5);
        byte[] first = GlyphScene.Sample(o, 7, 3).RenderPng();
        byte[] again = GlyphScene.Sample(o, 7, 3).RenderPng();
        Assert.Equal(first, again);
        var scene = GlyphScene.Sample(o, 7, 3);
        Assert.Equal(scene.RenderPng(), scene.RenderPng());
        Assert.NotEqual(first, GlyphScene.Sample(o, 8, 3).RenderPng());
        Assert.NotEqual(first, GlyphScene.Sample(o, 7, 4).RenderPng());
        Assert.NotEqual(GlyphScene.Sample(o, 7, 3).LayoutKey(), GlyphScene.Sample(o, 8, 3).LayoutKey());
    }

    [Fact]
    public void Render_gives_a_3xSxS_tensor_in_unit_range_with_the_png_pixels()
    {
        using var scope = NewDisposeScope();
        foreach (int size in new[] { 64, 224 })
        {
            var scene = GlyphScene.Sample(new GlyphSceneOptions(ImageSize: size), 1, 0);
            var image = scene.Render();
            Assert.Equal(new long[] { 3, size, size }, image.shape);
            Assert.Equal(ScalarType.Float32, image.dtype);
            Assert.True(image.min().item<float>() >= 0 && image.max().item<float>() <= 1);
            using var decoded = SKBitmap.Decode(scene.RenderPng());
            var c = decoded.GetPixel(5, 9);
            Assert.Equal(c.Red / 255f, image[0, 9, 5].item<float>(), 6);
            Assert.Equal(c.Blue / 255f, image[2, 9, 5].item<float>(), 6);
        }
    }

    [Fact]
    public void Every_drawn_pixel_of_a_glyph_lies_in_its_box_and_the_box_is_tight()
    {
        foreach (var o in new[] { new GlyphSceneOptions(Distractors: 6), new GlyphSceneOptions(ImageSize: 48, GridSide: 3, Jitter: 1) })
            for (int index = 0; index < 3; index++)
            {
                var scene = GlyphScene.Sample(o, 11, index);
                Assert.Equal(o.GridSide * o.GridSide, scene.Glyphs.Count);
                for (int g = 0; g < scene.Glyphs.Count; g++)
                {
                    var glyph = scene.Glyphs[g];
                    var pixels = DrawnPixels(scene, g);
                    Assert.NotEmpty(pixels);
                    Assert.All(pixels, p => Assert.True(glyph.Box.Contains(p.X, p.Y), $"{glyph.Kind} pixel {p} outside {glyph.Box}"));
                    // tight: the drawn pixels reach within a pixel of every side of the box
                    Assert.InRange(pixels.Min(p => p.X) - glyph.Box.X1, 0, 1);
                    Assert.InRange(glyph.Box.X2 - 1 - pixels.Max(p => p.X), 0, 1);
                    Assert.InRange(pixels.Min(p => p.Y) - glyph.Box.Y1, 0, 1);
                    Assert.InRange(glyph.Box.Y2 - 1 - pixels.Max(p => p.Y), 0, 1);
                    // and the glyph stays in its own cell
                    double cell = o.CellSize;
                    Assert.True(glyph.Box.X1 >= Math.Floor(glyph.Column * cell) && glyph.Box.X2 <= Math.Ceiling((glyph.Column + 1) * cell));
                    Assert.True(glyph.Box.Y1 >= Math.Floor(glyph.Row * cell) && glyph.Box.Y2 <= Math.Ceiling((glyph.Row + 1) * cell));
                }
            }
    }

    [Fact]
    public void Drawn_glyph_height_follows_glyph_scale()
    {
        Assert.InRange(new GlyphSceneOptions().GlyphHeight, 8, 10); // the default: ~9 px glyphs at 64 px with a 4×4 grid
        foreach (double scale in new[] { 0.35, 0.56, 0.9 })
        {
            var o = new GlyphSceneOptions(ImageSize: 128, GlyphScale: scale, BackgroundTexture: false) { ScaleJitter = 0 };
            var scene = GlyphScene.Sample(o, 5, 0);
            for (int g = 0; g < scene.Glyphs.Count; g++)
            {
                var pixels = DrawnPixels(scene, g);
                int height = pixels.Max(p => p.Y) - pixels.Min(p => p.Y) + 1;
                Assert.InRange(height, o.GlyphHeight - 1, o.GlyphHeight + 2);
                Assert.Equal((float)o.GlyphHeight, scene.Glyphs[g].Height, 3);
            }
        }
    }

    [Fact]
    public void Fill_probability_kinds_and_colours_are_honoured()
    {
        var sparse = new GlyphSceneOptions(FillProbability: 0.3);
        int total = Enumerable.Range(0, 200).Sum(i => GlyphScene.Sample(sparse, 2, i).Glyphs.Count);
        Assert.InRange(total / 200.0, 16 * 0.3 - 0.6, 16 * 0.3 + 0.6);
        Assert.All(Enumerable.Range(0, 50), i => Assert.NotEmpty(GlyphScene.Sample(new GlyphSceneOptions(FillProbability: 0), 2, i).Glyphs));

        var digits = new GlyphSceneOptions { Kinds = GlyphKindSet.Digits, ColorCount = 3 };
        var glyphs = Enumerable.Range(0, 30).SelectMany(i => GlyphScene.Sample(digits, 3, i).Items).ToArray();
        Assert.All(glyphs, g => Assert.Equal("digit", g.Kind.Category));
        Assert.Equal(10, glyphs.Select(g => g.Kind.Name).Distinct().Count());
        Assert.Equal(["blue", "green", "red"], glyphs.Select(g => g.Color).Distinct().Order());
    }

    [Fact]
    public void Every_glyph_kind_draws_a_different_picture()
    {
        // Each kind alone at 24 px on a flat background: no two kinds may produce the same pixels.
        var pngs = new HashSet<string>();
        foreach (var kind in GlyphShapes.AllKinds)
        {
            using var bitmap = new SKBitmap(24, 24);
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(SKColors.Black);
            using var paint = new SKPaint { IsAntialias = true, Color = SKColors.White, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
                Style = GlyphShapes.IsFilled(kind) ? SKPaintStyle.Fill : SKPaintStyle.Stroke, StrokeWidth = GlyphShapes.StrokeWidthOf(kind, 9, 0.15) };
            using var path = GlyphShapes.Path(kind, 12, 12, 9, 0.15);
            canvas.DrawPath(path, paint);
            Assert.True(pngs.Add(Convert.ToBase64String(bitmap.Bytes)), $"{kind} draws like another kind");
        }
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "e", "f", "h", "k", "l", "t", "circle", "square", "triangle", "cross"],
            GlyphShapes.AllKinds.Select(k => GlyphShapes.Describe(k).Name));
        Assert.Equal("letter e", GlyphShapes.Describe(GlyphKind.LetterE).Noun);
    }

    [Fact]
    public void Invalid_options_name_the_field_and_value()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlyphSceneOptions(GridSide: 0).Validated());
        Assert.Contains("GridSide is 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GlyphSceneOptions(GlyphScale: 0.95).Validated());
        Assert.Contains("GlyphScale·(1+ScaleJitter)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GlyphSceneOptions { ColorCount = 9 }.Validated());
        Assert.Contains("ColorCount is 9", e.Message);
        e = Assert.Throws<ArgumentException>(() => GlyphScene.Sample(new GlyphSceneOptions { Kinds = GlyphKindSet.None }, 0, 0));
        Assert.Contains("Kinds", e.Message);
    }

    [Fact]
    public void Cell_names_are_positions_up_to_3x3_and_row_column_beyond()
    {
        Assert.Equal("top left", GridCells.Name(3, 0, 0));
        Assert.Equal("center", GridCells.Name(3, 1, 1));
        Assert.Equal("bottom", GridCells.Name(3, 2, 1));
        Assert.Equal("the top right cell", GridCells.Phrase(3, 0, 2));
        Assert.Equal("bottom right", GridCells.Name(2, 1, 1));
        Assert.Equal("row 2 column 3", GridCells.Name(4, 1, 2));
        Assert.Equal("the cell at row 4 column 1", GridCells.Phrase(4, 3, 0));
        Assert.Equal(16, Enumerable.Range(0, 16).Select(i => GridCells.Name(4, i / 4, i % 4)).Distinct().Count());
        Assert.Equal(9, Enumerable.Range(0, 9).Select(i => GridCells.Name(3, i / 3, i % 3)).Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => GridCells.Name(3, 3, 0));
    }

    [Fact]
    public void Grounding_text_uses_three_digits_and_decodes_to_a_box_that_contains_the_pixels()
    {
        var box = new PixelBox(0, 5, 9, 64);
        string text = box.ToGroundingText(64, 64);
        Assert.Equal("(000,078)(141,999)", text);
        var (x1, y1, x2, y2) = PixelBox.ParseGroundingText(text)!.Value;
        Assert.True(x1 / 999.0 * 64 <= box.X1 && y1 / 999.0 * 64 <= box.Y1 && x2 / 999.0 * 64 >= box.X2 && y2 / 999.0 * 64 >= box.Y2);
        Assert.Null(PixelBox.ParseGroundingText("no box"));
    }
}
