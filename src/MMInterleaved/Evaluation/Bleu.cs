namespace MMInterleaved.Evaluation;

/// <summary>
/// Corpus BLEU-1…4 exactly as the COCO caption toolkit computes it (pycocoevalcap <c>Bleu(4)</c>, i.e.
/// <c>BleuScorer.compute_score(option='closest')</c>):
/// <list type="bullet">
/// <item>per image, clipped n-gram matches (a candidate n-gram counts at most as often as in the reference that has it
/// most often) and the number of candidate n-grams are <em>summed over all images</em> before dividing;</item>
/// <item>each image's reference length is the length closest to the candidate's (ties go to the shorter), summed;</item>
/// <item>BLEU-n = (Π_{k≤n} (matches_k + 1e-15) / (guesses_k + 1e-9))^(1/n): the toolkit's <c>tiny</c> (1e-15)
/// is added to the numerator and its <c>small</c> (1e-9) to the denominator, so no n-gram at all gives ≈ 0, not an
/// error;</item>
/// <item>brevity penalty: if ratio = (candidate length + 1e-15) / (reference length + 1e-9) is below 1, every BLEU-n
/// is multiplied by exp(1 − 1/ratio).</item>
/// </list>
/// Inputs are tokenised text (<see cref="PtbTokenizer.Tokenize"/>), split on whitespace here.
/// </summary>
public static class Bleu
{
    /// <summary>The highest n-gram order scored (Bleu_1 … Bleu_4).</summary>
    public const int MaxOrder = 4;

    // Named as in bleu_scorer.compute_score.
    private const double Small = 1e-9;
    private const double Tiny = 1e-15;

    /// <summary>
    /// BLEU-1…BLEU-4 of the corpus: <paramref name="candidates"/>[i] is scored against <paramref name="references"/>[i]
    /// (at least one reference each). Returns four fractions in [0, 1].
    /// </summary>
    public static double[] Score(IReadOnlyList<string> candidates, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (candidates.Count != references.Count)
            throw new ArgumentException($"{candidates.Count} candidates but {references.Count} reference sets.", nameof(references));
        if (candidates.Count == 0) throw new ArgumentException("There is nothing to score.", nameof(candidates));

        long testLength = 0, referenceLength = 0;
        var guesses = new long[MaxOrder];
        var correct = new long[MaxOrder];
        for (int image = 0; image < candidates.Count; image++)
        {
            if (references[image].Count == 0) throw new ArgumentException($"Candidate {image} has no references.", nameof(references));
            var maxCounts = new Dictionary<string, int>(StringComparer.Ordinal);
            var lengths = new List<int>();
            foreach (string reference in references[image])
            {
                var grams = new NGramCounts(reference, MaxOrder);
                lengths.Add(grams.Length);
                foreach (var (gram, _, count) in grams.Items)
                    if (!maxCounts.TryGetValue(gram, out int seen) || count > seen) maxCounts[gram] = count;
            }
            var test = new NGramCounts(candidates[image], MaxOrder);
            testLength += test.Length;
            referenceLength += ClosestLength(lengths, test.Length);
            for (int k = 0; k < MaxOrder; k++) guesses[k] += Math.Max(0, test.Length - k);
            foreach (var (gram, order, count) in test.Items)
                correct[order - 1] += Math.Min(maxCounts.TryGetValue(gram, out int max) ? max : 0, count);
        }

        var bleus = new double[MaxOrder];
        double product = 1.0;
        for (int k = 0; k < MaxOrder; k++)
        {
            product *= (correct[k] + Tiny) / (guesses[k] + Small);
            bleus[k] = Math.Pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLength + Tiny) / (referenceLength + Small);
        if (ratio < 1)
            for (int k = 0; k < MaxOrder; k++) bleus[k] *= Math.Exp(1 - 1 / ratio);
        return bleus;
    }

    /// <summary>
    /// The toolkit's "closest" reference length: <c>min((abs(l - testlen), l) for l in reflens)[1]</c>, so among
    /// equally close lengths the shorter wins.
    /// </summary>
    public static int ClosestLength(IReadOnlyList<int> referenceLengths, int candidateLength)
    {
        int best = referenceLengths[0];
        foreach (int length in referenceLengths)
        {
            int distance = Math.Abs(length - candidateLength), bestDistance = Math.Abs(best - candidateLength);
            if (distance < bestDistance || (distance == bestDistance && length < best)) best = length;
        }
        return best;
    }
}
