using System.Globalization;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// How text names a grid cell. Rows and columns are 0-based in code and 1-based in text (row 1 is the top, column 1
/// the left). Grids of side 1–3 use position names; 3×3: "top left, top, top right, left, center, right, bottom left,
/// bottom, bottom right" (so "the top cell" is the top middle one); 2×2: "top left, top right, bottom left, bottom
/// right". Larger grids use "row r column c", which cannot be confused with a position name.
/// </summary>
public static class GridCells
{
    private static readonly string[] Names3 = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"];
    private static readonly string[] Names2 = ["top left", "top right", "bottom left", "bottom right"];

    /// <summary>Whether a grid of this side uses position names rather than "row r column c".</summary>
    public static bool UsesPositionNames(int side) => side is >= 1 and <= 3;

    /// <summary>The cell's name: "top left" or "row 2 column 3".</summary>
    public static string Name(int side, int row, int column)
    {
        Check(side, row, column);
        return side switch
        {
            1 => "center",
            2 => Names2[row * 2 + column],
            3 => Names3[row * 3 + column],
            _ => string.Create(CultureInfo.InvariantCulture, $"row {row + 1} column {column + 1}"),
        };
    }

    /// <summary>The cell as a noun phrase: "the top left cell" or "the cell at row 2 column 3".</summary>
    public static string Phrase(int side, int row, int column) =>
        UsesPositionNames(side) ? $"the {Name(side, row, column)} cell" : $"the cell at {Name(side, row, column)}";

    /// <summary>The cell as a short location after a glyph: "top left" or "at row 2 column 3".</summary>
    public static string Location(int side, int row, int column) =>
        UsesPositionNames(side) ? Name(side, row, column) : $"at {Name(side, row, column)}";

    private static void Check(int side, int row, int column)
    {
        if (side < 1) throw new ArgumentOutOfRangeException(nameof(side), side, "The grid side must be positive.");
        if (row < 0 || row >= side || column < 0 || column >= side)
            throw new ArgumentOutOfRangeException(nameof(row), $"Cell ({row},{column}) is outside a {side}×{side} grid.");
    }
}
