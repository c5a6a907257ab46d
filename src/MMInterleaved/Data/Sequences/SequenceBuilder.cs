using MMInterleaved.Data.Text;
using MMInterleaved.Model;

namespace MMInterleaved.Data.Sequences;

/// <summary>
/// Turns an <see cref="InterleavedDocument"/> into model tokens (reference-spec §3.1, §7.2):
/// &lt;s&gt;, then the segments in order, then &lt;/s&gt; (training; <see cref="BuildPrompt"/> leaves it off for generation).
/// Each image is &lt;|beginofimage|&gt; followed by K &lt;|image|&gt;.
/// <para><b>Spaces between segments.</b> Each text segment is trimmed; two adjacent text segments are joined by one space
/// (the reference's <c>prompt + " " + answer</c> and MMC4's sentences joined with spaces); text next to an image gets
/// no space (MMC4 removes whitespace next to image markers; pairs put the caption against the image block). The
/// tokenizer sees the space as a leading " " on the later segment (it matters to GPT-2 BPE; the word tokenizer ignores
/// it). Empty text segments are skipped.</para>
/// <para><b>Target flags.</b> Text takes its segment's <see cref="TextSegment.Target"/> (false = prompt). &lt;s&gt; and the
/// K placeholders are never targets. An image's &lt;|beginofimage|&gt; takes the flag of the closest text segment before it
/// (true if none: the model already ignores a segment-initial &lt;BoI&gt;), so a &lt;BoI&gt; after a caption stays a target
/// (§6.1: that is how the model learns to emit images) while an image inside a prompt does not. &lt;/s&gt; is a target.</para>
/// </summary>
public sealed class SequenceBuilder
{
    private readonly ITextTokenizer tokenizer;

    /// <summary>The tokenizer.</summary>
    public ITextTokenizer Tokenizer => tokenizer;
    /// <summary>Placeholders per image (the model's <c>NumImageTokens</c>).</summary>
    public int NumImageTokens { get; }
    /// <summary>The options.</summary>
    public SequenceBuilderOptions Options { get; }
    /// <summary>The special ids (the tokenizer's).</summary>
    public SpecialTokens Specials => tokenizer.Specials;

    /// <summary>A builder writing <paramref name="numImageTokens"/> placeholders per image.</summary>
    public SequenceBuilder(ITextTokenizer tokenizer, int numImageTokens, SequenceBuilderOptions? options = null)
    {
        SequenceChecks.Require(numImageTokens > 0, $"SequenceBuilder: numImageTokens is {numImageTokens}; it must be positive (the model's NumImageTokens).");
        this.tokenizer = tokenizer;
        NumImageTokens = numImageTokens;
        Options = (options ?? new SequenceBuilderOptions()).Validated();
    }

    /// <summary>A training document: ends with &lt;/s&gt;; pairs are re-ordered by the draw for <paramref name="index"/>
    /// when <see cref="SequenceBuilderOptions.RandomPairOrder"/> is set.</summary>
    public TokenizedDocument Build(InterleavedDocument document, long index) => Build(document, index, appendEos: true, reorderPairs: true);

    /// <summary>A generation prompt: the segments as given, no &lt;/s&gt;. With <paramref name="dropTrailingTargetText"/> the
    /// target text segments at the end (the answer of a [image, prompt, answer] document) are left out.</summary>
    public TokenizedDocument BuildPrompt(InterleavedDocument document, bool dropTrailingTargetText = false)
    {
        if (dropTrailingTargetText)
        {
            int keep = document.Segments.Count;
            while (keep > 0 && document.Segments[keep - 1] is TextSegment { Target: true }) keep--;
            document = document with { Segments = document.Segments.Take(keep).ToList() };
        }
        return Build(document, -1, appendEos: false, reorderPairs: false);
    }

    /// <summary>Whether a caption pair with this document index is written image-first (a pure function of seed and index).</summary>
    public bool ImageFirst(long index) => Draw(Options.Seed, index) < Options.ImageFirstProbability;

    /// <summary>A document of exactly one image and one text segment, in either order.</summary>
    public static bool IsPair(InterleavedDocument document) =>
        document.Segments.Count == 2 && document.Segments.OfType<ImageSegment>().Count() == 1 && document.Segments.OfType<TextSegment>().Count() == 1;

    private TokenizedDocument Build(InterleavedDocument document, long index, bool appendEos, bool reorderPairs)
    {
        var specials = tokenizer.Specials;
        IEnumerable<DocumentSegment> segments = document.Segments;
        bool pair = IsPair(document);
        if (pair && Options.LowerCasePairCaptions)
            segments = segments.Select(s => s is TextSegment t ? t with { Text = t.Text.ToLowerInvariant() } : s);
        if (pair && reorderPairs && Options.RandomPairOrder)
        {
            bool imageFirst = ImageFirst(index);
            segments = segments.OrderBy(s => (s is ImageSegment) == imageFirst ? 0 : 1).ToList();
        }

        var ids = new List<long> { specials.Bos };
        var targets = new List<bool> { false };
        var images = new List<ImageSegment>();
        var starts = new List<int>();
        bool previousIsText = false;
        bool? lastTextTarget = null;
        foreach (var segment in segments)
        {
            switch (segment)
            {
                case TextSegment text:
                    var trimmed = text.Text.Trim();
                    if (trimmed.Length == 0) continue;
                    var pieceIds = tokenizer.Encode(previousIsText ? " " + trimmed : trimmed);
                    foreach (int id in pieceIds)
                    {
                        ids.Add(id);
                        targets.Add(text.Target);
                    }
                    previousIsText = true;
                    lastTextTarget = text.Target;
                    break;
                case ImageSegment image:
                    starts.Add(ids.Count);
                    images.Add(image);
                    ids.Add(specials.BeginOfImage);
                    targets.Add(lastTextTarget ?? true);
                    for (int k = 0; k < NumImageTokens; k++)
                    {
                        ids.Add(specials.Image);
                        targets.Add(false);
                    }
                    previousIsText = false;
                    break;
                default:
                    throw new ArgumentException($"SequenceBuilder: document '{document.Id}' has a segment of type {segment.GetType().Name}; expected TextSegment or ImageSegment.");
            }
        }
        if (appendEos)
        {
            ids.Add(specials.Eos);
            targets.Add(true);
        }
        return new TokenizedDocument([.. ids], [.. targets], images, [.. starts], NumImageTokens, index, document.Id);
    }

    // SplitMix64 of (seed, index): a counter-based draw, so no generator state has to be checkpointed.
    private static double Draw(long seed, long index)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
