using MMInterleaved.Data.Glyphs;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Reads the colour of the item in a grid cell of an image, generated or real, so text-to-image fidelity is measurable
/// cell by cell: the background is the image's per-channel median (items cover a minority of pixels); in the cell, the
/// tenth of pixels farthest from it are the item's; their mean is explained as a blend α·colour + (1 − α)·background of
/// each palette colour, and the best-fitting colour is the reading. Blends tolerate anti-aliasing and the faint or
/// partly drawn items of a young model. On real renders it reads every cell right (a test checks; the ceiling row of the
/// evaluation measures it on the scored scenes).
/// </summary>
public static class CellColorReader
{
    /// <summary>Fraction of a cell's pixels taken as the item's (the farthest from the background).</summary>
    public const double ItemFraction = 0.1;

    /// <summary>The palette colour name read in cell (<paramref name="row"/>, <paramref name="column"/>), 0-based, of an
    /// image [3, S, S] in [0, 1] split into <paramref name="gridSide"/>² equal cells.</summary>
    public static string Read(Tensor image, int gridSide, int row, int column, IReadOnlyList<GlyphColor>? palette = null) =>
        ReadCells(image, gridSide, [(row, column)], palette)[0];

    /// <summary>The colour read in each of <paramref name="cells"/> (0-based row, column).</summary>
    public static string[] ReadCells(Tensor image, int gridSide, IReadOnlyList<(int Row, int Column)> cells, IReadOnlyList<GlyphColor>? palette = null)
    {
        if (image.dim() != 3 || image.shape[0] != 3) throw new ArgumentException($"CellColorReader: the image has shape [{string.Join(", ", image.shape)}]; expected [3, S, S].");
        if (gridSide < 1) throw new ArgumentException($"CellColorReader: gridSide is {gridSide}; it must be positive.");
        palette ??= GlyphPalette.Colors;
        int h = (int)image.shape[1], w = (int)image.shape[2];
        float[] px = image.detach().cpu().to(float32).contiguous().data<float>().ToArray();
        var background = new float[3];
        for (int c = 0; c < 3; c++)
        {
            var channel = px.AsSpan(c * h * w, h * w).ToArray();
            Array.Sort(channel);
            background[c] = channel[channel.Length / 2];
        }
        var colors = palette.Select(p => new[] { p.R / 255f, p.G / 255f, p.B / 255f }).ToArray();
        var readings = new string[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            var (row, column) = cells[i];
            if (row < 0 || column < 0 || row >= gridSide || column >= gridSide)
                throw new ArgumentException($"CellColorReader: cell ({row}, {column}) lies outside the {gridSide}×{gridSide} grid.");
            int y0 = row * h / gridSide, y1 = (row + 1) * h / gridSide, x0 = column * w / gridSide, x1 = (column + 1) * w / gridSide;
            var pixels = new List<(float Distance, float R, float G, float B)>();
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    float r = px[y * w + x], g = px[h * w + y * w + x], b = px[2 * h * w + y * w + x];
                    float dr = r - background[0], dg = g - background[1], db = b - background[2];
                    pixels.Add((dr * dr + dg * dg + db * db, r, g, b));
                }
            int take = Math.Max(1, (int)Math.Round(pixels.Count * ItemFraction));
            var item = pixels.OrderByDescending(p => p.Distance).Take(take).ToList();
            float[] mean = [item.Average(p => p.R), item.Average(p => p.G), item.Average(p => p.B)];
            readings[i] = palette[Enumerable.Range(0, colors.Length).MinBy(k => BlendResidual(mean, background, colors[k]))].Name;
        }
        return readings;
    }

    // squared distance from m to the segment background → colour (the best blend α in [0, 1])
    private static float BlendResidual(float[] m, float[] background, float[] color)
    {
        float dot = 0, norm = 0;
        for (int c = 0; c < 3; c++)
        {
            dot += (m[c] - background[c]) * (color[c] - background[c]);
            norm += (color[c] - background[c]) * (color[c] - background[c]);
        }
        float alpha = norm > 0 ? Math.Clamp(dot / norm, 0, 1) : 0;
        float residual = 0;
        for (int c = 0; c < 3; c++)
        {
            float d = m[c] - (background[c] + alpha * (color[c] - background[c]));
            residual += d * d;
        }
        return residual;
    }
}
