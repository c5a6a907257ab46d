using MMInterleaved.Model;

namespace MMInterleaved.Data.Sequences;

/// <summary>
/// One document as model tokens: <paramref name="Ids"/> start with &lt;s&gt; and (training documents) end with &lt;/s&gt;; each
/// image is &lt;|beginofimage|&gt; at <paramref name="ImageStarts"/>[i] followed by <paramref name="NumImageTokens"/>
/// &lt;|image|&gt;, with its pixels from <paramref name="Images"/>[i]. <paramref name="Targets"/>[t] false means token t is
/// never a next-token target (prompt text, image placeholders, &lt;s&gt;); true leaves the decision to the model's own rules
/// (reference-spec §6.1). <paramref name="Index"/> is the document's index in its source (−1 when it has none).
/// </summary>
public sealed record TokenizedDocument(long[] Ids, bool[] Targets, IReadOnlyList<ImageSegment> Images, int[] ImageStarts, int NumImageTokens,
    long Index = -1, string Id = "")
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;

    /// <summary>Throws an ArgumentException naming the field when the arrays disagree or an image block is malformed.</summary>
    public TokenizedDocument Validated(SpecialTokens tokens)
    {
        SequenceChecks.Require(Targets.Length == Ids.Length, $"TokenizedDocument: Targets has {Targets.Length} flags for {Ids.Length} Ids; they must match.");
        SequenceChecks.Require(NumImageTokens > 0, $"TokenizedDocument: NumImageTokens is {NumImageTokens}; it must be positive.");
        SequenceChecks.Require(ImageStarts.Length == Images.Count, $"TokenizedDocument: ImageStarts has {ImageStarts.Length} entries for {Images.Count} Images; they must match.");
        SequenceChecks.CheckImageBlocks(Ids, ImageStarts, NumImageTokens, tokens, "TokenizedDocument");
        return this;
    }
}
