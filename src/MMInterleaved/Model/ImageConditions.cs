using MMInterleaved.Diffusion;
using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// What the image decoder needs to generate each image of a batch (row-major order, <see cref="Images"/>): the UNet
/// condition [n, Q, H] and, with MMFSNet, the earlier images' multi-scale maps with their slot mask.
/// </summary>
public sealed record ImageConditions(IReadOnlyList<ImageContext> Images, Tensor Condition, MmfsFeatures? Features)
{
    /// <summary>Index of the last image of each batch row (the one a prompt ends with); an error names a row without one.</summary>
    public long[] LastOfEachRow(long rows)
    {
        var last = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            int k = Images.ToList().FindLastIndex(c => c.Row == r);
            if (k < 0) throw new ArgumentException($"prompt row {r} holds no image block to generate.");
            last[r] = k;
        }
        return last;
    }

    /// <summary>The conditions of images <paramref name="indices"/> (repeats allowed, e.g. one per candidate).</summary>
    public (Tensor Condition, MmfsFeatures? Features) Select(long[] indices) =>
        (Condition.index_select(0, tensor(indices, device: Condition.device)), Features?.Rows(indices));
}
