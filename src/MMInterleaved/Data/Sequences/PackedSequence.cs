namespace MMInterleaved.Data.Sequences;

/// <summary>
/// One training row: whole documents back to back (each starting with its own &lt;s&gt;), at most the packer's window.
/// <paramref name="ImageStarts"/>[i] is the position of image i's &lt;|beginofimage|&gt; and <paramref name="NearestBos"/>[i]
/// the position of the &lt;s&gt; that starts its document (the reference's <c>nearest_bos_idx</c>).
/// <paramref name="DocumentIndices"/> are the source indices of the documents, in order; <paramref name="Truncated"/> is
/// how many of them were cut to fit.
/// </summary>
public sealed record PackedSequence(long[] Ids, bool[] Targets, IReadOnlyList<ImageSegment> Images, int[] ImageStarts, int[] NearestBos,
    long[] DocumentIndices, int Truncated = 0)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;
    /// <summary>Number of documents.</summary>
    public int Documents => DocumentIndices.Length;

    /// <summary>A row of one document (for generation prompts and evaluation).</summary>
    public static PackedSequence Of(TokenizedDocument document) => Concat([document], 0);

    /// <summary>Documents back to back.</summary>
    public static PackedSequence Concat(IReadOnlyList<TokenizedDocument> documents, int truncated)
    {
        int length = documents.Sum(d => d.Length);
        var ids = new long[length];
        var targets = new bool[length];
        var images = new List<ImageSegment>();
        var starts = new List<int>();
        var bos = new List<int>();
        int offset = 0;
        foreach (var d in documents)
        {
            d.Ids.CopyTo(ids, offset);
            d.Targets.CopyTo(targets, offset);
            images.AddRange(d.Images);
            starts.AddRange(d.ImageStarts.Select(s => s + offset));
            bos.AddRange(d.ImageStarts.Select(_ => offset));
            offset += d.Length;
        }
        return new PackedSequence(ids, targets, images, [.. starts], [.. bos], documents.Select(d => d.Index).ToArray(), truncated);
    }
}
