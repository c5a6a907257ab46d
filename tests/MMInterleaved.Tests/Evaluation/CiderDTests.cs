using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class CiderDTests
{
    [Fact]
    public void A_single_image_scores_zero_because_every_idf_is_zero() =>
        Assert.Equal(0.0, CiderD.Score(["a dog on a sofa"], [["a dog on a sofa"]]));

    [Fact]
    public void Identical_four_word_captions_score_ten()
    {
        // Every n-gram occurs in one image of two: weight log 2 everywhere, cosine 1 for all four orders, ×10.
        Assert.Equal(10.0, CiderD.Score(["a b c d", "e f g h"], [["a b c d"], ["e f g h"]]), 1e-12);
    }

    [Fact]
    public void Identical_two_word_captions_score_five_since_orders_three_and_four_are_empty() =>
        Assert.Equal(5.0, CiderD.Score(["a b", "c d"], [["a b"], ["c d"]]), 1e-12);

    [Fact]
    public void Hand_computed_length_penalty()
    {
        // Image 1: "a b" against "a b c": unigram cosine 2/√6, bigram 1/√2, no trigram/4-gram; bigram counts 1 vs 2,
        // so δ = −1 and the penalty is e^(−1/72). Image 2 scores 5.
        var scores = CiderD.ScorePerImage(["a b", "x y"], [["a b c"], ["x y"]]);
        double expected = (2 / Math.Sqrt(6) + 1 / Math.Sqrt(2)) * Math.Exp(-1.0 / 72) / 4 * 10;
        Assert.Equal(expected, scores[0], 1e-12);
        Assert.Equal(5.0, scores[1], 1e-12);
        Assert.Equal((expected + 5) / 2, CiderD.Score(["a b", "x y"], [["a b c"], ["x y"]]), 1e-12);
    }

    [Fact]
    public void Candidate_weights_are_clipped_by_the_reference_weights()
    {
        // "a a" against "a b": the unigram "a" weighs 2·log 2 in the candidate and log 2 in the reference; the -D
        // clipping takes min(2L, L)·L, giving cosine L² / (2L · L√2) = 1/(2√2) instead of 1/√2. "a a" is in no reference.
        var scores = CiderD.ScorePerImage(["a a", "c d"], [["a b"], ["c d"]]);
        Assert.Equal(1 / (2 * Math.Sqrt(2)) / 4 * 10, scores[0], 1e-12);
    }

    [Fact]
    public void Similarity_is_averaged_over_references()
    {
        var one = CiderD.ScorePerImage(["a b", "c d"], [["a b"], ["c d"]])[0];
        var two = CiderD.ScorePerImage(["a b", "c d"], [["a b", "q r"], ["c d"]])[0];
        // The second reference shares nothing (and its n-grams get their own document frequencies).
        Assert.Equal(one / 2, two, 1e-12);
    }
}
