using MMInterleaved.Training;
using Xunit;

namespace MMInterleaved.Tests.Training;

/// <summary>A one-cell grid is a text-to-image scene (one glyph), not a comprehension task.</summary>
public sealed class TrainingArgsGridTests
{
    [Fact]
    public void A_one_cell_grid_is_allowed_for_text_to_image_only()
    {
        new TrainingArgs { Task = "glyph-text-to-image", GridSide = 1 }.Validated();
        var error = Assert.Throws<ArgumentException>(() => new TrainingArgs { Task = "glyph-vqa", GridSide = 1 }.Validated());
        Assert.Contains("grid_side is 1; it must lie in 2..8 for task glyph-vqa", error.Message);
    }
}
