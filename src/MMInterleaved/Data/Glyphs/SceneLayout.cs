namespace MMInterleaved.Data.Glyphs;

/// <summary>Where items go in a grid scene; shared by glyph and Fashion-MNIST scenes so both follow the same
/// options the same way.</summary>
internal static class SceneLayout
{
    /// <summary>Which cells (reading order) hold an item; at least one does, so every scene can be asked about.</summary>
    public static bool[] FilledCells(GlyphSceneOptions o, SeededRandom random)
    {
        int n = o.GridSide * o.GridSide;
        var filled = new bool[n];
        bool any = false;
        for (int i = 0; i < n; i++) any |= filled[i] = random.NextDouble() < o.FillProbability;
        if (!any) filled[random.NextInt(n)] = true;
        return filled;
    }

    /// <summary>Centre and height of an item of the given aspect (width ÷ height) in a cell: height GlyphScale·cell
    /// ·(1 ± ScaleJitter), centre moved by up to Jitter of the room left in the cell, so the item never leaves it.</summary>
    public static (float Cx, float Cy, float Height) Place(GlyphSceneOptions o, SeededRandom random, int row, int column, float aspect)
    {
        double cell = o.CellSize;
        double h = o.GlyphHeight * (1 + o.ScaleJitter * (2 * random.NextDouble() - 1));
        double w = Math.Min(aspect * h, cell);
        double cx = (column + 0.5) * cell + o.Jitter * (cell - w) / 2 * (2 * random.NextDouble() - 1);
        double cy = (row + 0.5) * cell + o.Jitter * (cell - h) / 2 * (2 * random.NextDouble() - 1);
        return ((float)cx, (float)cy, (float)h);
    }
}
