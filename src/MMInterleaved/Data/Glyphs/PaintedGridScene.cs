using MMInterleaved.Data.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// The one render path of grid scenes: background and distractors from the render seed, then each item in reading
/// order, to a bitmap, a tensor or PNG bytes. Glyph and Fashion-MNIST scenes differ only in how an item is drawn.
/// </summary>
public abstract class PaintedGridScene : IGridScene
{
    /// <summary>Keeps the options, the render seed and the items text asks about.</summary>
    protected PaintedGridScene(GlyphSceneOptions options, IReadOnlyList<GridItem> items, ulong renderSeed)
    {
        Options = options;
        Items = items;
        RenderSeed = renderSeed;
    }

    /// <summary>The options it was sampled with.</summary>
    public GlyphSceneOptions Options { get; }

    /// <summary>Seed of the background texture and the distractors.</summary>
    public ulong RenderSeed { get; }

    /// <inheritdoc/>
    public IReadOnlyList<GridItem> Items { get; }

    /// <inheritdoc/>
    public int ImageSize => Options.ImageSize;

    /// <inheritdoc/>
    public int GridSide => Options.GridSide;

    /// <inheritdoc/>
    public abstract string ItemNoun { get; }

    /// <inheritdoc/>
    public Tensor Render()
    {
        using var bitmap = RenderBitmap();
        return ImageTensors.FromRgba(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height);
    }

    /// <inheritdoc/>
    public byte[] RenderPng()
    {
        using var bitmap = RenderBitmap();
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <inheritdoc/>
    public int[] ItemMask()
    {
        var mask = new int[ImageSize * ImageSize];
        for (int i = 0; i < Items.Count; i++)
        {
            // each item alone on a transparent canvas: its alpha is its coverage (anti-aliased edges, Fashion intensities)
            using var layer = SceneBackground.NewBitmap(ImageSize);
            using (var canvas = new SKCanvas(layer))
            {
                canvas.Clear(SKColors.Transparent);
                DrawItem(canvas, i);
                canvas.Flush();
            }
            var rgba = layer.GetPixelSpan();
            for (int p = 0; p < mask.Length; p++)
                if (rgba[4 * p + 3] >= 128) mask[p] = i + 1;
        }
        return mask;
    }

    /// <summary>Draws item <paramref name="index"/> of <see cref="Items"/> onto the canvas.</summary>
    protected abstract void DrawItem(SKCanvas canvas, int index);

    /// <summary>Draws background, distractors and items (all but <paramref name="omit"/>, an index into
    /// <see cref="Items"/>, which tests use to find one item's pixels).</summary>
    internal SKBitmap RenderBitmap(int? omit = null)
    {
        var bitmap = SceneBackground.NewBitmap(ImageSize);
        using var canvas = new SKCanvas(bitmap);
        var random = new SeededRandom(RenderSeed);
        SceneBackground.Paint(bitmap, canvas, Options, random);
        SceneBackground.PaintDistractors(canvas, Options, random, GlyphPalette.Colors.Take(Options.ColorCount).ToArray());
        for (int i = 0; i < Items.Count; i++)
            if (i != omit) DrawItem(canvas, i);
        canvas.Flush();
        return bitmap;
    }
}
