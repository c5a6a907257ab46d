namespace MMInterleaved.Data.Glyphs;

/// <summary>Helpers over <see cref="IGridScene"/>.</summary>
public static class GridScenes
{
    /// <summary>The item in a cell (0-based), or null when the cell is empty.</summary>
    public static GridItem? At(this IGridScene scene, int row, int column) =>
        scene.Items.FirstOrDefault(i => i.Row == row && i.Column == column);

    /// <summary>A text key of what the scene shows (grid, and per filled cell its kind and colour), ignoring exact
    /// positions and the background; equal keys mean equal answers to every question, so splits are checked with it.</summary>
    public static string LayoutKey(this IGridScene scene) =>
        $"{scene.GridSide}:" + string.Join(";", scene.Items.Select(i => $"{i.Row},{i.Column},{i.Kind.Name},{i.Color}"));
}
