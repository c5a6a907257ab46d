using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class CellColorConfusionTests
{
    private static readonly string[] Palette = ["red", "green", "blue", "yellow"];

    // 24 one-glyph prompts cycling through the palette; drawn(asked) says what every image shows
    private static CellColorConfusion Of(Func<string, string> drawn)
    {
        var layouts = Enumerable.Range(0, 24).Select(i => CellLayout.Parse($"1,1={Palette[i % Palette.Length]} star")).ToList();
        return new CellColorConfusion(layouts, (image, prompt) => [drawn(layouts[image].Cells[0].Color)], Palette);
    }

    [Fact]
    public void Right_colours_carry_all_of_the_caption_and_a_permutation_test_rejects_independence()
    {
        var c = Of(asked => asked);
        Assert.Equal(2.0, c.MutualInformationBits, 9);                     // log2 of four equally asked colours
        Assert.Equal(6, c.Counts[1, 1]);
        Assert.True(c.DependenceP() < 0.01);
    }

    [Fact]
    public void A_consistently_wrong_mapping_is_still_dependence()
    {
        var c = Of(asked => Palette[(Array.IndexOf(Palette, asked) + 1) % Palette.Length]);   // every red drawn green, …
        Assert.Equal(0, Enumerable.Range(0, Palette.Length).Sum(k => c.Counts[k, k]));
        Assert.Equal(2.0, c.MutualInformationBits, 9);
        Assert.True(c.DependenceP() < 0.01);
    }

    [Fact]
    public void Images_that_ignore_their_captions_carry_none()
    {
        var c = Of(_ => "blue");
        Assert.Equal(0, c.MutualInformationBits, 12);
        Assert.Equal(1.0, c.DependenceP(), 12);                            // every shuffle ties the observed zero
        Assert.Equal(24, Enumerable.Range(0, Palette.Length).Sum(k => c.Counts[k, 2]));
    }
}
