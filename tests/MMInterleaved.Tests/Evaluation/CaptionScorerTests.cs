using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class CaptionScorerTests
{
    [Fact]
    public void Fixture_scores_equal_the_toolkits_within_1e9()
    {
        var scores = CocoCaptionFiles.Score(MetricFixtures.CaptionReferences, MetricFixtures.CaptionPredictions);
        var expected = MetricFixtures.ExpectedCaptions();
        Assert.Equal(expected.Keys.Order(), scores.Keys.Order());
        foreach (var (name, value) in expected) Assert.True(Math.Abs(value - scores[name]) <= 1e-9, $"{name}: {scores[name]} vs {value}");
    }

    [Fact]
    public void Names_are_the_toolkits_in_its_order() =>
        Assert.Equal(["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "CIDEr"], CaptionScorer.Score(
            new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["A dog."], ["b"] = ["A cat."] },
            new Dictionary<string, string> { ["a"] = "a dog", ["b"] = "a cat" }).Keys);

    [Fact]
    public void Tokenises_both_sides_so_case_and_final_period_do_not_matter()
    {
        var scores = CaptionScorer.Score(
            new Dictionary<long, IReadOnlyList<string>> { [1] = ["A dog on a red sofa."], [2] = ["Two cats sleep on a bed."] },
            new Dictionary<long, string> { [1] = "a dog on a red sofa", [2] = "TWO CATS SLEEP ON A BED" });
        for (int n = 1; n <= 4; n++) Assert.Equal(1.0, scores[$"Bleu_{n}"], 1e-9);
        Assert.Equal(10.0, scores["CIDEr"], 1e-9);
    }

    [Fact]
    public void A_prediction_without_references_names_the_image()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionScorer.Score(
            new Dictionary<long, IReadOnlyList<string>> { [1] = ["a dog"] },
            new Dictionary<long, string> { [1] = "a dog", [7] = "a cat" }));
        Assert.Contains("image id 7 has no reference captions", e.Message);
    }

    [Fact]
    public void References_without_a_prediction_name_the_image()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionScorer.Score(
            new Dictionary<long, IReadOnlyList<string>> { [1] = ["a dog"], [3] = ["a cat"] },
            new Dictionary<long, string> { [1] = "a dog" }));
        Assert.Contains("id 3 has reference captions but no prediction", e.Message);
    }
}
