namespace MMInterleaved.Evaluation;

/// <summary>
/// Reads the kind of glyph drawn in grid cells from a segmentation (<see cref="GlyphSegmenter.Segment"/>: the class of
/// every pixel, 0 background, k + 1 the k-th of the segmenter's <see cref="GlyphSegmenter.KindNames"/>): the cell's kind is the class that covers most of
/// its non-background pixels, none when it has fewer than <see cref="MinPixels"/>. With the colour reader it makes the
/// cell fidelity of text-to-image (glyph and colour of every cell); its accuracy on real renders is the ceiling.
/// </summary>
public static class CellKindReader
{
    /// <summary>Foreground pixels a cell needs for a reading.</summary>
    public const int MinPixels = 3;

    /// <summary>The kind name read in each of <paramref name="cells"/> (0-based row, column) of a <paramref name="size"/>²
    /// segmentation of a <paramref name="gridSide"/>-cell grid; "" where a cell holds no glyph.</summary>
    public static string[] ReadCells(int[] classes, int size, int gridSide, IReadOnlyList<(int Row, int Column)> cells, IReadOnlyList<string> kinds)
    {
        if (classes.Length != size * size) throw new ArgumentException($"CellKindReader: {classes.Length} classes for a {size}×{size} image.", nameof(classes));
        var result = new string[cells.Count];
        for (int n = 0; n < cells.Count; n++)
        {
            var (row, column) = cells[n];
            int y0 = row * size / gridSide, y1 = (row + 1) * size / gridSide, x0 = column * size / gridSide, x1 = (column + 1) * size / gridSide;
            var counts = new int[kinds.Count + 1];
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    int c = classes[y * size + x];
                    if (c > 0 && c <= kinds.Count) counts[c]++;
                }
            int best = 1;
            for (int c = 2; c < counts.Length; c++) if (counts[c] > counts[best]) best = c;
            result[n] = counts.Length > 1 && counts[best] >= MinPixels ? kinds[best - 1] : "";
        }
        return result;
    }
}
