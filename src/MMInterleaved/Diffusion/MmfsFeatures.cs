using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>What the UNet's MMFS reads for a batch of images to generate: per feature level [B, I, C, s, s] of the images
/// each one may look at, and which of the I slots hold an image ([B, I], 1 = present).</summary>
public sealed record MmfsFeatures(IReadOnlyList<Tensor> Levels, Tensor Mask)
{
    /// <summary>The batch twice ([uncond; cond] for classifier-free guidance: both halves see the same images).</summary>
    public MmfsFeatures Duplicated() => new(Levels.Select(l => cat([l, l], 0)).ToArray(), cat([Mask, Mask], 0));

    /// <summary>Rows <paramref name="rows"/> of the batch, in that order (repeats allowed).</summary>
    public MmfsFeatures Rows(long[] rows)
    {
        var index = tensor(rows, device: Mask.device);
        return new(Levels.Select(l => l.index_select(0, index)).ToArray(), Mask.index_select(0, index));
    }

    /// <summary>Moves every tensor to the enclosing dispose scope (returns this).</summary>
    public MmfsFeatures MoveToOuterDisposeScope()
    {
        foreach (var level in Levels) level.MoveToOuterDisposeScope();
        Mask.MoveToOuterDisposeScope();
        return this;
    }
}
