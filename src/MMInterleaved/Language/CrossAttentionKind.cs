namespace MMInterleaved.Language;

/// <summary>What the decoder's cross-attention layers read (paper Table 7).</summary>
public enum CrossAttentionKind
{
    /// <summary>MMFS: deformable sampling of the images' multi-scale feature maps (the paper's method).</summary>
    Deformable,
    /// <summary>Dense multi-head cross-attention over every position of the same feature maps.</summary>
    DenseFeatureMap,
    /// <summary>Dense cross-attention over the resampler's visual tokens only (Flamingo-style).</summary>
    DenseResamplerTokens,
}
