using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// The bookkeeping of an interleaved batch (reference-spec §3.1, §3.4, §6.1): where images start, which image slots each
/// token may see through MMFS, how visual tokens and image features are gathered per row, and which next-token targets
/// count in the text loss. Pure tensor functions of the token ids; no parameters.
/// </summary>
public static class InterleavedSequence
{
    /// <summary>
    /// For each row, the positions of its images' first &lt;|image|&gt; token (= &lt;|beginofimage|&gt; + 1), padded with
    /// <c>long.MaxValue</c>: [B, Imax], and the number of images per row.
    /// </summary>
    public static (Tensor Starts, long[] Counts) ImageStarts(Tensor inputIds, SpecialTokens tokens)
    {
        long b = inputIds.shape[0], l = inputIds.shape[1];
        var ids = inputIds.cpu().data<long>().ToArray();
        var rows = new List<long>[b];
        for (long r = 0; r < b; r++)
        {
            rows[r] = [];
            for (long t = 0; t + 1 < l; t++)
                if (ids[r * l + t] == tokens.BeginOfImage && ids[r * l + t + 1] == tokens.Image) rows[r].Add(t + 1);
        }
        long max = Math.Max(1, rows.Max(x => x.Count));
        var starts = new long[b * max];
        Array.Fill(starts, long.MaxValue);
        for (long r = 0; r < b; r++)
            for (int i = 0; i < rows[r].Count; i++) starts[r * max + i] = rows[r][i];
        return (tensor(starts, device: inputIds.device).view(b, max), rows.Select(x => (long)x.Count).ToArray());
    }

    /// <summary>Position of the most recent &lt;s&gt; at or before each token, −1 if none: [B,L].</summary>
    public static Tensor SegmentStarts(Tensor inputIds, SpecialTokens tokens)
    {
        var positions = arange(inputIds.shape[1], device: inputIds.device).unsqueeze(0).expand_as(inputIds);
        var marked = where(inputIds.eq(tokens.Bos), positions, full_like(positions, -1));
        return marked.cummax(1).values;
    }

    /// <summary>
    /// The MMFS visibility mask [B,L,Imax] (1 = may attend): token t sees image n iff the image has started at or before t
    /// (p_n ≤ t, so an image's own placeholders see it but its &lt;|beginofimage|&gt; does not) and lies in t's &lt;s&gt; segment
    /// (p_n &gt; bos(t)). With <paramref name="multiImage"/> false only the nearest visible image stays (ablation).
    /// </summary>
    public static Tensor VisibilityMask(Tensor inputIds, SpecialTokens tokens, bool multiImage = true)
    {
        var (starts, _) = ImageStarts(inputIds, tokens);
        var segment = SegmentStarts(inputIds, tokens);                                  // [B,L]
        var t = arange(inputIds.shape[1], device: inputIds.device).view(1, -1, 1);       // [1,L,1]
        var p = starts.unsqueeze(1);                                                       // [B,1,I]
        var mask = (p > segment.unsqueeze(-1)) & (p <= t);                                 // [B,L,I]
        if (!multiImage) mask = NearestOnly(mask);
        return mask.to(int64);
    }

    /// <summary>Keeps, per row of a visibility mask [B,L,I], only the last visible image slot.</summary>
    public static Tensor NearestOnly(Tensor mask)
    {
        var m = mask.to(int64);
        var fromEnd = m.flip(-1).cumsum(-1).flip(-1);     // visible slots at or after this one
        return (m.eq(1) & fromEnd.eq(1)).to(mask.dtype);
    }

    /// <summary>
    /// Gathers per-image tensors [N_img, ...] (row-major over the batch) into per-row slots [B, Imax, ...], zero-filled.
    /// </summary>
    public static Tensor GatherSlots(Tensor perImage, long[] counts)
    {
        long b = counts.Length, max = Math.Max(1, counts.Max());
        var shape = new[] { b, max }.Concat(perImage.shape.Skip(1)).ToArray();
        var slots = zeros(shape, dtype: perImage.dtype, device: perImage.device);
        long offset = 0;
        for (long r = 0; r < b; r++)
        {
            if (counts[r] > 0) slots[r].narrow(0, 0, counts[r]).copy_(perImage.narrow(0, offset, counts[r]));
            offset += counts[r];
        }
        if (offset != perImage.shape[0])
            throw new ArgumentException($"the batch has {offset} image blocks (<|beginofimage|> + <|image|>…) but {perImage.shape[0]} images were given.");
        return slots;
    }

    /// <summary>
    /// Next-token targets [B,L] for logits at each position (target of position t is token t+1; the last position and
    /// every ignored target hold −100), following spec §6.1: a target is ignored when it is pad, &lt;|image|&gt; or &lt;s&gt;, or
    /// its attention mask is 0; when token t is &lt;s&gt; and t+1 is &lt;|beginofimage|&gt; (a segment-initial image is never
    /// predicted); optionally when no &lt;|beginofimage|&gt; precedes it in its segment (<paramref name="ignoreNoImagePrefix"/>,
    /// the reference's rule for caption-pair sources); before each row's prompt offset (<paramref name="promptOffsets"/>,
    /// position of the first target that counts); and where <paramref name="targetMask"/> [B,L] is 0 at the target token.
    /// </summary>
    public static Tensor TextTargets(Tensor inputIds, Tensor attentionMask, SpecialTokens tokens, bool ignoreNoImagePrefix = false,
        long[]? promptOffsets = null, Tensor? targetMask = null)
    {
        long b = inputIds.shape[0], l = inputIds.shape[1];
        var next = inputIds.narrow(1, 1, l - 1);
        var current = inputIds.narrow(1, 0, l - 1);
        var ignore = next.eq(tokens.Pad) | next.eq(tokens.Image) | next.eq(tokens.Bos) | attentionMask.narrow(1, 1, l - 1).eq(0)
                     | (current.eq(tokens.Bos) & next.eq(tokens.BeginOfImage));
        if (ignoreNoImagePrefix)
        {
            // position of the latest <BoI> at or before each token, compared with its segment start
            var positions = arange(l, device: inputIds.device).unsqueeze(0).expand(b, l);
            var lastBeginOfImage = where(inputIds.eq(tokens.BeginOfImage), positions, full_like(positions, -1)).cummax(1).values;
            var hasImage = lastBeginOfImage > SegmentStarts(inputIds, tokens);
            ignore |= ~hasImage.narrow(1, 1, l - 1);
        }
        if (promptOffsets is not null)
        {
            var offsets = tensor(promptOffsets, device: inputIds.device).view(b, 1);
            ignore |= (arange(1, l, device: inputIds.device).view(1, -1) < offsets);
        }
        if (targetMask is not null) ignore |= targetMask.narrow(1, 1, l - 1).eq(0);
        var targets = where(ignore, full_like(next, -100), next);
        return cat([targets, full(b, 1, -100L, dtype: int64, device: inputIds.device)], 1);
    }
}
