using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

/// <summary>The cell colour reader of the text-to-image metric: its ceiling on real scenes, blends, and errors.</summary>
[Collection(TorchCollection.Name)]
public sealed class CellColorReaderTests
{
    [Theory]
    [InlineData(32, 3)]
    [InlineData(64, 4)]
    public void Every_filled_cell_of_real_test_scenes_reads_right(int size, int side)
    {
        var task = GridTasks.Create("glyph-text-to-image", new GridTaskOptions(9, DataSplit.Test, new GlyphSceneOptions(ImageSize: size, GridSide: side)));
        int cells = 0;
        foreach (var document in task.Take(30))
        {
            var layout = CellLayout.Parse(document.Meta("layout")!);
            using var image = document.Images.Single().Load();
            var read = CellColorReader.ReadCells(image, side, layout.Positions);
            Assert.Equal(layout.Cells.Select(c => c.Color), read);
            cells += read.Length;
        }
        Assert.True(cells > 60);
    }

    [Fact]
    public void A_faint_blob_reads_as_its_colour_and_an_image_without_it_does_not()
    {
        var image = full(new long[] { 3, 30, 30 }, 0.1f);
        var blue = GlyphPalette.Colors.Single(c => c.Name == "blue");
        // a 4×4 blob at 40 % strength in cell (1, 2) of a 3×3 grid
        for (int c = 0; c < 3; c++)
        {
            float value = new[] { blue.R, blue.G, blue.B }[c] / 255f;
            image[c, TensorIndex.Slice(13, 17), TensorIndex.Slice(23, 27)] = 0.6f * 0.1f + 0.4f * value;
        }
        Assert.Equal("blue", CellColorReader.Read(image, 3, 1, 2));
        Assert.NotEqual("blue", CellColorReader.Read(image, 3, 0, 0));
    }

    [Fact]
    public void Bad_shapes_cells_and_layouts_get_clear_errors()
    {
        Assert.Contains("[3, S, S]", Assert.Throws<ArgumentException>(() => CellColorReader.Read(zeros(1, 8, 8), 2, 0, 0)).Message);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => CellColorReader.Read(zeros(3, 8, 8), 2, 2, 0)).Message);
        Assert.Contains("'1=red star'", Assert.Throws<FormatException>(() => CellLayout.Parse("1,1=red star; 1=red star")).Message);
        Assert.Equal([(0, 1, "red"), (2, 0, "blue")], CellLayout.Parse("1,2=red star; 3,1=blue letter e").Cells);
    }
}
