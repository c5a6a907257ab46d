using MMInterleaved.Diffusion;

namespace MMInterleaved.Model;

/// <summary>
/// Where image k of a batch (row-major order) reads its condition from: row, the position of its &lt;|beginofimage|&gt;
/// (<see cref="BeginOfImage"/>) and of its segment's &lt;s&gt; (<see cref="SegmentStart"/>, 0 if the row has none before it).
/// Its context is the language model's states from SegmentStart up to and including BeginOfImage, so an image never sees
/// its own placeholders; host-side integers, made from the batch's CPU ids.
/// </summary>
public sealed record ImageContext(int Row, long SegmentStart, long BeginOfImage)
{
    /// <summary>Context tokens (&lt;s&gt; … &lt;BoI&gt;).</summary>
    public long Length => BeginOfImage - SegmentStart + 1;

    /// <summary>Whether the image gets an image loss: the reference gives none to an image whose context is only &lt;s&gt;&lt;BoI&gt;.</summary>
    public bool HasCondition => Length > 2;

    /// <summary>Every image of host ids [B, L] (a &lt;|beginofimage|&gt; followed by &lt;|image|&gt;), in row-major order.</summary>
    public static IReadOnlyList<ImageContext> Of(long[] ids, long rows, long length, SpecialTokens tokens)
    {
        var contexts = new List<ImageContext>();
        for (int r = 0; r < rows; r++)
        {
            long segment = 0;
            for (long t = 0; t < length; t++)
            {
                long id = ids[r * length + t];
                if (id == tokens.Bos) segment = t;
                else if (id == tokens.BeginOfImage && t + 1 < length && ids[r * length + t + 1] == tokens.Image)
                    contexts.Add(new ImageContext(r, segment, t));
            }
        }
        return contexts;
    }

    /// <summary>
    /// For each image, the earlier images of its segment the UNet's MMFS reads (indices into <paramref name="images"/>):
    /// the one just before it (<see cref="DecoderMmfsImages.Previous"/>, the reference) or all of them, oldest first.
    /// An image never reads itself, a later image or another segment's.
    /// </summary>
    public static IReadOnlyList<int[]> MmfsSources(IReadOnlyList<ImageContext> images, DecoderMmfsImages which)
    {
        var sources = new int[images.Count][];
        for (int k = 0; k < images.Count; k++)
        {
            var earlier = Enumerable.Range(0, k).Where(j => images[j].Row == images[k].Row && images[j].BeginOfImage > images[k].SegmentStart).ToArray();
            sources[k] = which == DecoderMmfsImages.Previous ? earlier.Where(j => j == k - 1).ToArray() : earlier;
        }
        return sources;
    }
}
