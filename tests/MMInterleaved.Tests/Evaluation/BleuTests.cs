using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class BleuTests
{
    private static double[] Score(string candidate, params string[] references) => Bleu.Score([candidate], [references]);

    [Fact]
    public void Identical_candidate_and_reference_give_one()
    {
        foreach (double b in Score("a b c d e", "a b c d e")) Assert.Equal(1.0, b, 1e-9);
    }

    [Fact]
    public void Hand_counted_single_image()
    {
        // Candidate: the cat sat on the mat (6 words). Clipped matches against the two references:
        // unigrams 5/6 (the ×2 allowed by the first reference, "sat" unmatched), bigrams 3/5 (the cat, on the, the mat),
        // trigrams 1/4 (on the mat), 4-grams 0/3. Closest reference length 6: no brevity penalty.
        var b = Score("the cat sat on the mat", "the cat is on the mat", "there is a cat on the mat");
        Assert.Equal(5.0 / 6, b[0], 1e-9);
        Assert.Equal(Math.Sqrt(5.0 / 6 * 3 / 5), b[1], 1e-9);
        Assert.Equal(0.5, b[2], 1e-9);
        // No 4-gram matches: the toolkit's tiny (1e-15) / (3 + small) keeps BLEU-4 small but not zero.
        Assert.Equal(Math.Pow(0.125 * 1e-15 / (3 + 1e-9), 0.25), b[3], 1e-12);
        Assert.True(b[3] > 0);
    }

    [Fact]
    public void Candidate_counts_are_clipped_by_the_reference()
    {
        var b = Score("the the the the", "the cat");
        // 1 of the 4 "the" counts; closest reference length 2 < 4, so no brevity penalty.
        Assert.Equal(0.25, b[0], 1e-9);
    }

    [Fact]
    public void Short_candidates_pay_the_brevity_penalty()
    {
        var b = Score("the cat", "the cat sat on the mat");
        Assert.Equal(Math.Exp(1 - 6.0 / 2), b[0], 1e-9);
    }

    [Fact]
    public void Closest_reference_length_breaks_ties_towards_the_shorter()
    {
        Assert.Equal(4, Bleu.ClosestLength([8, 4], 6));
        Assert.Equal(4, Bleu.ClosestLength([4, 8], 6));
        Assert.Equal(7, Bleu.ClosestLength([2, 7, 9], 8));
    }

    [Fact]
    public void Counts_are_summed_over_images_before_dividing()
    {
        // Image 1: 1 of 1 unigram; image 2: 1 of 4. Corpus BLEU-1 = 2/5, not the mean of 1 and 1/4.
        var b = Bleu.Score(["cat", "dog x y z"], [["cat"], ["dog a b c"]]);
        Assert.Equal(2.0 / 5, b[0], 1e-9);
    }
}
