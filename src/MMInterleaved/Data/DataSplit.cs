namespace MMInterleaved.Data;

/// <summary>
/// Which part of a dataset. Procedural sources put the split into every random key (seed, split, index, purpose), so
/// the three splits are disjoint key spaces and never share a generated scene by construction (a content collision
/// would need every cell of two independently sampled scenes to agree). Fashion-MNIST scenes also draw their items
/// from disjoint image pools (see <see cref="Real.FashionGridSampler"/>).
/// </summary>
public enum DataSplit
{
    /// <summary>Training documents.</summary>
    Train,
    /// <summary>Held-out documents for model selection.</summary>
    Validation,
    /// <summary>Held-out documents for the reported numbers.</summary>
    Test,
}
