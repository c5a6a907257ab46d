namespace MMInterleaved.Evaluation;

/// <summary>
/// The toolkit's <c>precook</c>: counts of the 1…n-grams of a tokenised sentence (split on whitespace), remembering
/// the order in which each n-gram first appears (n = 1 first, then left to right). CIDEr-D sums over n-grams in
/// that order, so keeping it reproduces the toolkit's floating-point sums exactly.
/// </summary>
internal sealed class NGramCounts
{
    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);
    private readonly List<(string Gram, int Order)> firstSeen = [];

    public NGramCounts(string sentence, int maxOrder)
    {
        var words = PythonText.Split(sentence).ToArray();
        Length = words.Length;
        for (int k = 1; k <= maxOrder; k++)
            for (int i = 0; i + k <= words.Length; i++)
            {
                // Tokens hold no whitespace, so a space-joined key is unambiguous.
                string gram = k == 1 ? words[i] : string.Join(' ', words, i, k);
                if (counts.TryGetValue(gram, out int c)) counts[gram] = c + 1;
                else
                {
                    counts[gram] = 1;
                    firstSeen.Add((gram, k));
                }
            }
    }

    /// <summary>Number of words.</summary>
    public int Length { get; }

    /// <summary>(n-gram, its order n, its count) in first-appearance order.</summary>
    public IEnumerable<(string Gram, int Order, int Count)> Items => firstSeen.Select(e => (e.Gram, e.Order, counts[e.Gram]));

    public int CountOf(string gram) => counts.TryGetValue(gram, out int c) ? c : 0;
}
