namespace MMInterleaved.Data.Sequences;

/// <summary>
/// Packs a stream of documents, in order, into rows of at most <see cref="MaxLength"/> tokens and
/// <see cref="MaxImagesPerSequence"/> images (reference-spec §7.2, "sample" truncation): a row is cut only between
/// documents, and a document that does not fit starts the next row. A document that alone exceeds either limit is cut at
/// the end: before the &lt;|beginofimage|&gt; of its first image past the cap, and before any image block the length limit
/// would split (so a row never holds part of an image block); it loses its &lt;/s&gt;, and
/// <see cref="TruncatedDocuments"/> counts it. Deterministic: the same documents give the same rows.
/// </summary>
public sealed class SequencePacker
{
    /// <summary>Longest row in tokens.</summary>
    public int MaxLength { get; }
    /// <summary>Most images in one row.</summary>
    public int MaxImagesPerSequence { get; }
    /// <summary>Documents cut by <see cref="Fit"/> since this packer was made.</summary>
    public long TruncatedDocuments { get; private set; }

    /// <summary>A packer for windows of <paramref name="maxLength"/> tokens and <paramref name="maxImagesPerSequence"/> images.</summary>
    public SequencePacker(int maxLength, int maxImagesPerSequence)
    {
        SequenceChecks.Require(maxLength >= 2, $"SequencePacker: maxLength is {maxLength}; it must be at least 2.");
        SequenceChecks.Require(maxImagesPerSequence >= 0, $"SequencePacker: maxImagesPerSequence is {maxImagesPerSequence}; it must be 0 or more.");
        MaxLength = maxLength;
        MaxImagesPerSequence = maxImagesPerSequence;
    }

    /// <summary>The document cut to fit one window (itself when it fits); <paramref name="truncated"/> says whether it was cut.</summary>
    public TokenizedDocument Fit(TokenizedDocument document, out bool truncated)
    {
        int keep = Math.Min(document.Length, MaxLength);
        if (document.ImageStarts.Length > MaxImagesPerSequence) keep = Math.Min(keep, document.ImageStarts[MaxImagesPerSequence]);
        int blockLength = document.NumImageTokens + 1;
        foreach (int start in document.ImageStarts)
            if (start < keep && keep < start + blockLength) keep = start;           // never split an image block
        truncated = keep < document.Length;
        if (!truncated) return document;
        TruncatedDocuments++;
        int images = document.ImageStarts.Count(s => s < keep);
        return document with
        {
            Ids = document.Ids[..keep],
            Targets = document.Targets[..keep],
            Images = document.Images.Take(images).ToList(),
            ImageStarts = document.ImageStarts[..images],
        };
    }

    /// <summary>Rows of the documents, lazily (it reads one document past each row it returns).</summary>
    public IEnumerable<PackedSequence> Pack(IEnumerable<TokenizedDocument> documents)
    {
        var window = new List<TokenizedDocument>();
        int length = 0, images = 0, truncated = 0;
        foreach (var document in documents)
        {
            var fitted = Fit(document, out bool cut);
            if (window.Count > 0 && (length + fitted.Length > MaxLength || images + fitted.Images.Count > MaxImagesPerSequence))
            {
                yield return PackedSequence.Concat(window, truncated);
                window = [];
                length = images = truncated = 0;
            }
            window.Add(fitted);
            length += fitted.Length;
            images += fitted.Images.Count;
            if (cut) truncated++;
        }
        if (window.Count > 0) yield return PackedSequence.Concat(window, truncated);
    }
}
