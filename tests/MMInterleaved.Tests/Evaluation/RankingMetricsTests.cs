using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class RankingMetricsTests
{
    [Fact]
    public void Ranks_by_descending_score_with_ties_in_option_order()
    {
        Assert.Equal([3, 1, 2], RankingMetrics.Ranks([0.1, 0.9, 0.5]));
        Assert.Equal([1, 2, 3], RankingMetrics.Ranks([0.5, 0.5, 0.1]));
    }

    [Fact]
    public void Ndcg_hand_computed()
    {
        // k = 2 relevant options. The model's top two are options 0 (relevance 0) and 2 (0.5):
        // DCG = 0/log2(2) + 0.5/log2(3); the ideal order (1, 0.5) gives 1/log2(2) + 0.5/log2(3).
        double ndcg = RankingMetrics.Ndcg([0.9, 0.1, 0.5, 0.3], [0, 1, 0.5, 0]);
        Assert.Equal((0.5 / Math.Log2(3)) / (1 + 0.5 / Math.Log2(3)), ndcg, 1e-12);
    }

    [Fact]
    public void Ndcg_is_one_for_the_ideal_order_and_ignores_options_beyond_k()
    {
        Assert.Equal(1.0, RankingMetrics.Ndcg([0.9, 0.8, 0.1, 0.2], [1, 0.5, 0, 0]), 1e-12);
        // Only the top k = 1 position counts: swapping the irrelevant tail changes nothing.
        Assert.Equal(1.0, RankingMetrics.Ndcg([0.9, 0.1, 0.8], [1, 0, 0]), 1e-12);
        Assert.Equal(0.0, RankingMetrics.Ndcg([0.1, 0.9, 0.8], [1, 0, 0]), 1e-12);
    }

    [Fact]
    public void Ndcg_without_relevant_options_is_an_error() =>
        Assert.Throws<ArgumentException>(() => RankingMetrics.Ndcg([0.1, 0.2], [0, 0]));

    [Fact]
    public void Rank_summaries()
    {
        int[] ranks = [1, 2, 3, 10];
        Assert.Equal(4.0, RankingMetrics.MeanRank(ranks));
        Assert.Equal((1 + 0.5 + 1.0 / 3 + 0.1) / 4, RankingMetrics.MeanReciprocalRank(ranks), 1e-12);
        Assert.Equal(0.25, RankingMetrics.RecallAtK(ranks, 1));
        Assert.Equal(0.75, RankingMetrics.RecallAtK(ranks, 5));
        Assert.Equal(1.0, RankingMetrics.RecallAtK(ranks, 10));
    }
}
