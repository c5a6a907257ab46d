namespace MMInterleaved.Evaluation;

/// <summary>
/// CIDEr-D as the COCO caption toolkit computes it (pycocoevalcap <c>Cider()</c>, whose <c>CiderScorer</c> is the
/// CIDEr-D variant), with its arithmetic reproduced operation for operation:
/// <list type="bullet">
/// <item>n-grams of order 1…4; document frequency df(g) = number of <em>scored images</em> whose reference set
/// contains g; ref_len = log(number of images);</item>
/// <item>tf-idf vector per sentence and order: weight = count · (ref_len − log(max(1, df))), its norm the square
/// root of the sum of squared weights;</item>
/// <item>similarity per reference and order: Σ over candidate n-grams of min(w_cand, w_ref) · w_ref (the "-D"
/// clipping), divided by both norms when neither is 0, times the Gaussian length penalty
/// e^(−δ²/(2σ²)) with σ = 6, where δ is the difference of the two sentences' <em>bigram</em> counts (the toolkit
/// adds term frequencies where the n-gram index is 1, i.e. bigrams; for sentences of ≥ 1 word that is the word-count
/// difference);</item>
/// <item>per image: mean over the 4 orders of the similarity summed over references, divided by the number of
/// references, times 10; the corpus score is the mean over images.</item>
/// </list>
/// Scores are on the toolkit's scale (a fraction of 10 at most; papers print 100×). With a single image every idf is 0
/// and the score is 0, as in the toolkit.
/// </summary>
public static class CiderD
{
    /// <summary>The highest n-gram order.</summary>
    public const int MaxOrder = 4;

    /// <summary>σ of the Gaussian length penalty.</summary>
    public const double Sigma = 6.0;

    /// <summary>Corpus CIDEr-D: the mean of <see cref="ScorePerImage"/>.</summary>
    public static double Score(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        var scores = ScorePerImage(candidates, references);
        double sum = 0;
        foreach (double s in scores) sum += s;
        return sum / scores.Length;
    }

    /// <summary>
    /// CIDEr-D of each candidate (tokenised text) against its references; the document frequencies come from all the
    /// reference sets passed, so the corpus matters.
    /// </summary>
    public static double[] ScorePerImage(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (candidates.Count != references.Count)
            throw new ArgumentException($"{candidates.Count} candidates but {references.Count} reference sets.", nameof(references));
        if (candidates.Count == 0) throw new ArgumentException("There is nothing to score.", nameof(candidates));

        var cookedReferences = new List<NGramCounts[]>(references.Count);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int image = 0; image < references.Count; image++)
        {
            if (references[image].Count == 0) throw new ArgumentException($"Candidate {image} has no references.", nameof(references));
            var cooked = references[image].Select(r => new NGramCounts(r, MaxOrder)).ToArray();
            cookedReferences.Add(cooked);
            foreach (string gram in cooked.SelectMany(c => c.Items.Select(i => i.Gram)).Distinct(StringComparer.Ordinal))
                documentFrequency[gram] = documentFrequency.TryGetValue(gram, out int df) ? df + 1 : 1;
        }
        double referenceLength = Math.Log(references.Count);

        var scores = new double[candidates.Count];
        for (int image = 0; image < candidates.Count; image++)
        {
            var candidate = ToVector(new NGramCounts(candidates[image], MaxOrder), documentFrequency, referenceLength);
            var score = new double[MaxOrder];
            foreach (var reference in cookedReferences[image])
            {
                var similarity = Similarity(candidate, ToVector(reference, documentFrequency, referenceLength));
                for (int n = 0; n < MaxOrder; n++) score[n] += similarity[n];
            }
            double mean = (((score[0] + score[1]) + score[2]) + score[3]) / MaxOrder;
            mean /= cookedReferences[image].Length;
            mean *= 10.0;
            scores[image] = mean;
        }
        return scores;
    }

    private sealed record TfIdf(List<(string Gram, double Weight)>[] Ordered, Dictionary<string, double>[] Weights, double[] Norms, int BigramCount);

    // counts2vec in cider_scorer.py.
    private static TfIdf ToVector(NGramCounts counts, Dictionary<string, int> documentFrequency, double referenceLength)
    {
        var ordered = new List<(string, double)>[MaxOrder];
        var weights = new Dictionary<string, double>[MaxOrder];
        var norms = new double[MaxOrder];
        for (int n = 0; n < MaxOrder; n++) (ordered[n], weights[n]) = ([], new Dictionary<string, double>(StringComparer.Ordinal));
        int bigrams = 0;
        foreach (var (gram, order, count) in counts.Items)
        {
            double df = Math.Log(Math.Max(1.0, documentFrequency.TryGetValue(gram, out int f) ? f : 0));
            int n = order - 1;
            double weight = count * (referenceLength - df);
            ordered[n].Add((gram, weight));
            weights[n][gram] = weight;
            norms[n] += weight * weight;
            // The toolkit's "length" adds term frequencies where n == 1, i.e. bigrams (an off-by-one kept as is).
            if (n == 1) bigrams += count;
        }
        for (int n = 0; n < MaxOrder; n++) norms[n] = Math.Sqrt(norms[n]);
        return new TfIdf(ordered, weights, norms, bigrams);
    }

    // sim in cider_scorer.py.
    private static double[] Similarity(TfIdf candidate, TfIdf reference)
    {
        double delta = candidate.BigramCount - reference.BigramCount;
        var value = new double[MaxOrder];
        for (int n = 0; n < MaxOrder; n++)
        {
            foreach (var (gram, weight) in candidate.Ordered[n])
            {
                double referenceWeight = reference.Weights[n].TryGetValue(gram, out double w) ? w : 0.0;
                value[n] += Math.Min(weight, referenceWeight) * referenceWeight;
            }
            if (candidate.Norms[n] != 0 && reference.Norms[n] != 0) value[n] /= candidate.Norms[n] * reference.Norms[n];
            // np.e ** x, not exp(x): Python's float power, which Math.Pow reproduces.
            value[n] *= Math.Pow(Math.E, -(delta * delta) / (2 * Sigma * Sigma));
        }
        return value;
    }
}
