using static TorchSharp.torch;

namespace MMInterleaved.Data.Glyphs;

/// <summary>
/// A square image holding items on a GridSide×GridSide grid, with everything text needs to ask about it. The tasks
/// (<see cref="Tasks.GridTasks"/>) work on any scene: procedural glyphs or Fashion-MNIST items.
/// </summary>
public interface IGridScene
{
    /// <summary>Image side in pixels.</summary>
    int ImageSize { get; }

    /// <summary>Cells per row and column.</summary>
    int GridSide { get; }

    /// <summary>What text calls an item ("glyph", "item").</summary>
    string ItemNoun { get; }

    /// <summary>The filled cells in reading order (row by row, left to right).</summary>
    IReadOnlyList<GridItem> Items { get; }

    /// <summary>The image: float32 [3, ImageSize, ImageSize] in [0,1] on the CPU; the caller owns it.</summary>
    Tensor Render();

    /// <summary>The image as PNG bytes (the same pixels as <see cref="Render"/>).</summary>
    byte[] RenderPng();

    /// <summary>Which item covers each pixel: row-major ImageSize², the 1-based index into <see cref="Items"/> of the item
    /// drawn with coverage of at least one half there (the last one drawn where two do), 0 where none does. What a
    /// segmentation map paints.</summary>
    int[] ItemMask();
}
