using System.Globalization;

namespace MMInterleaved.Evaluation;

/// <summary>The filled cells of a grid scene as a <c>layout</c> metadata value holds them ("r,c=colour kind; …", 1-based,
/// see <see cref="Data.Tasks.GridTextToImageTask.Layout"/>): 0-based cell and colour name per item.</summary>
public sealed record CellLayout(IReadOnlyList<(int Row, int Column, string Color)> Cells)
{
    /// <summary>The filled cells' (row, column), 0-based, in layout order (what <see cref="CellColorReader.ReadCells"/> takes).</summary>
    public IReadOnlyList<(int Row, int Column)> Positions => Cells.Select(c => (c.Row, c.Column)).ToList();

    /// <summary>Each cell's kind name ("7", "e", "circle"), in the order of <see cref="Cells"/>; empty where a layout
    /// entry names a colour only.</summary>
    public IReadOnlyList<string> Kinds { get; init; } = [];

    /// <summary>Parses a layout value; a malformed entry is an error that quotes it.</summary>
    public static CellLayout Parse(string layout)
    {
        var cells = new List<(int, int, string)>();
        var kinds = new List<string>();
        foreach (var entry in layout.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=', 2);
            var rc = parts[0].Split(',');
            string[] item = parts.Length == 2 ? parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            if (rc.Length != 2 || item.Length == 0 || !int.TryParse(rc[0], NumberStyles.None, CultureInfo.InvariantCulture, out int r)
                || !int.TryParse(rc[1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) || r < 1 || c < 1)
                throw new FormatException($"layout entry '{entry}': expected 'row,column=colour kind' with 1-based row and column.");
            cells.Add((r - 1, c - 1, item[0]));
            kinds.Add(item.Length > 1 ? item[1] : "");
        }
        return new CellLayout(cells) { Kinds = kinds };
    }
}
