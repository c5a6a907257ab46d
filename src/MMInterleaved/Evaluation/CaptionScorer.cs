namespace MMInterleaved.Evaluation;

/// <summary>
/// Caption scores as the COCO caption evaluation toolkit reports them (pycocoevalcap <c>COCOEvalCap</c> with its
/// BLEU and CIDEr scorers): both sides tokenised by <see cref="PtbTokenizer"/>, then <see cref="Bleu"/> and
/// <see cref="CiderD"/> over all images. Keys are the toolkit's metric names, values its fractions.
/// </summary>
public static class CaptionScorer
{
    /// <summary>The metric names, in the toolkit's order.</summary>
    public static IReadOnlyList<string> MetricNames { get; } = ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "CIDEr"];

    /// <summary>
    /// Scores one predicted caption per image against that image's reference captions (raw text; tokenised here).
    /// Every image with references needs a prediction and every prediction references, as in the toolkit's default
    /// evaluation over all annotated images; a mismatch throws <see cref="ArgumentException"/> naming the image id.
    /// Images are taken in the order of <paramref name="references"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Score<TKey>(
        IReadOnlyDictionary<TKey, IReadOnlyList<string>> references, IReadOnlyDictionary<TKey, string> predictions)
        where TKey : notnull
    {
        foreach (var id in predictions.Keys)
            if (!references.ContainsKey(id)) throw new ArgumentException($"The prediction for image id {id} has no reference captions.", nameof(predictions));
        var candidates = new List<string>(references.Count);
        var referenceSets = new List<IReadOnlyList<string>>(references.Count);
        foreach (var (id, captions) in references)
        {
            if (!predictions.TryGetValue(id, out var prediction)) throw new ArgumentException($"Image id {id} has reference captions but no prediction.", nameof(predictions));
            if (captions.Count == 0) throw new ArgumentException($"Image id {id} has no reference captions.", nameof(references));
            candidates.Add(PtbTokenizer.Tokenize(prediction));
            referenceSets.Add(captions.Select(PtbTokenizer.Tokenize).ToArray());
        }
        if (candidates.Count == 0) throw new ArgumentException("There are no images to score.", nameof(references));

        var bleu = Bleu.Score(candidates, referenceSets);
        return new Dictionary<string, double>
        {
            ["Bleu_1"] = bleu[0], ["Bleu_2"] = bleu[1], ["Bleu_3"] = bleu[2], ["Bleu_4"] = bleu[3],
            ["CIDEr"] = CiderD.Score(candidates, referenceSets),
        };
    }
}
