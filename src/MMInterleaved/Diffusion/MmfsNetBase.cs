namespace MMInterleaved.Diffusion;

/// <summary>How an MMFSNet block picks its base grid S_base.</summary>
public enum MmfsNetBase
{
    /// <summary>The side of the skip feature it queries (a deliberate generalisation: identical to the reference for the
    /// paper's UNet, and right for any layers_per_block and level count).</summary>
    SkipSide,
    /// <summary>The reference's rule: SpatialShapes[i / 3] / DownsampleFactor for skip i, the last entry for the mid block
    /// (which lines up with the UNet's levels only for layers_per_block 2 and four levels).</summary>
    Reference,
}
