using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class CellKindReaderTests
{
    [Fact]
    public void A_cell_reads_as_its_majority_foreground_class_and_empty_below_the_pixel_floor()
    {
        // 4×4 image, 2×2 grid: cell (0,0) holds classes 1,1,2 (majority 1), cell (0,1) two pixels of 2 (below the floor),
        // cell (1,0) three pixels of 2 with background, cell (1,1) background only
        int[] classes =
        [
            1, 1, 2, 2,
            1, 0, 0, 0,
            2, 2, 0, 0,
            2, 0, 0, 0,
        ];
        string[] kinds = ["star", "7"];
        var read = CellKindReader.ReadCells(classes, 4, 2, [(0, 0), (0, 1), (1, 0), (1, 1)], kinds);
        Assert.Equal(["star", "", "7", ""], read);
        Assert.Throws<ArgumentException>(() => CellKindReader.ReadCells(new int[15], 4, 2, [(0, 0)], kinds));
    }

    [Fact]
    public void Layouts_carry_each_cells_kind_beside_its_colour()
    {
        var layout = CellLayout.Parse("1,1=red star; 2,3=blue 7");
        Assert.Equal(["star", "7"], layout.Kinds);
        Assert.Equal("blue", layout.Cells[1].Color);
    }
}
