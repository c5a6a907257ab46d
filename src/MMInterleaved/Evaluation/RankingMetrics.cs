namespace MMInterleaved.Evaluation;

/// <summary>
/// Ranking metrics for answer-option lists as VisDial evaluates them (MM-Interleaved's <c>visdial_metrics.py</c>):
/// ranks from model scores, NDCG against dense relevance annotations, and mean rank, mean reciprocal rank and
/// recall@k of the ground-truth option.
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// The 1-based rank of each option when sorted by descending score (rank 1 = highest score). Equal scores keep the
    /// option order (the reference's <c>torch.sort</c> leaves the order of ties unspecified).
    /// </summary>
    public static int[] Ranks(IReadOnlyList<double> scores)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray(); // OrderBy is stable
        var ranks = new int[scores.Count];
        for (int position = 0; position < order.Length; position++) ranks[order[position]] = position + 1;
        return ranks;
    }

    /// <summary>
    /// VisDial NDCG of one option list: with k = the number of options whose relevance is not 0, the DCG of the k
    /// best-scored options, Σ relevance / log2(position + 1) over positions 1…k, divided by the DCG of the k most
    /// relevant options. Throws when no option is relevant (the reference would divide 0 by 0).
    /// </summary>
    public static double Ndcg(IReadOnlyList<double> scores, IReadOnlyList<double> relevance)
    {
        if (scores.Count != relevance.Count) throw new ArgumentException($"{scores.Count} scores but {relevance.Count} relevances.", nameof(relevance));
        int k = relevance.Count(r => r != 0);
        if (k == 0) throw new ArgumentException("No option is relevant: NDCG is undefined.", nameof(relevance));
        var ranks = Ranks(scores);
        var byModel = Enumerable.Range(0, scores.Count).OrderBy(i => ranks[i]).Take(k).Select(i => relevance[i]);
        var ideal = relevance.OrderByDescending(r => r).Take(k);
        return Dcg(byModel) / Dcg(ideal);
    }

    /// <summary>Mean of the ground-truth options' ranks (1 = best).</summary>
    public static double MeanRank(IEnumerable<int> groundTruthRanks) => Checked(groundTruthRanks).Average();

    /// <summary>Mean of 1 / rank of the ground-truth options.</summary>
    public static double MeanReciprocalRank(IEnumerable<int> groundTruthRanks) => Checked(groundTruthRanks).Average(r => 1.0 / r);

    /// <summary>Share of ground-truth options ranked within the top <paramref name="k"/> (VisDial's r@1, r@5, r@10).</summary>
    public static double RecallAtK(IEnumerable<int> groundTruthRanks, int k) => Checked(groundTruthRanks).Average(r => r <= k ? 1.0 : 0.0);

    private static double Dcg(IEnumerable<double> relevanceInOrder)
    {
        double dcg = 0;
        int position = 1;
        foreach (double r in relevanceInOrder) dcg += r / Math.Log2(position++ + 1);
        return dcg;
    }

    private static List<int> Checked(IEnumerable<int> ranks)
    {
        var list = ranks.ToList();
        if (list.Count == 0) throw new ArgumentException("There are no ranks.", nameof(ranks));
        if (list.Any(r => r < 1)) throw new ArgumentException("Ranks start at 1.", nameof(ranks));
        return list;
    }
}
