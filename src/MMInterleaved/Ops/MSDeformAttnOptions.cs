namespace MMInterleaved.Ops;

/// <summary>Constructor arguments of Deformable-DETR's <c>MSDeformAttn</c> (as vendored by the reference's
/// ViT-Adapter), with the same names and defaults.</summary>
/// <param name="DModel">Query and output width.</param>
/// <param name="NLevels">Feature levels.</param>
/// <param name="NHeads">Attention heads.</param>
/// <param name="NPoints">Sampling points per head and level.</param>
/// <param name="Ratio">Value width = DModel·Ratio (the ViT-Adapter uses 0.5).</param>
public sealed record MSDeformAttnOptions(int DModel = 256, int NLevels = 4, int NHeads = 8, int NPoints = 4, double Ratio = 1.0)
{
    /// <summary>Value width.</summary>
    public int ValueDim => (int)(DModel * Ratio);

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public MSDeformAttnOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("MSDeformAttnOptions: " + message); }
        Require(DModel > 0 && NLevels > 0 && NHeads > 0 && NPoints > 0 && Ratio > 0,
            $"DModel ({DModel}), NLevels ({NLevels}), NHeads ({NHeads}), NPoints ({NPoints}) and Ratio ({Ratio}) must all be positive.");
        Require(DModel % NHeads == 0, $"DModel is {DModel}; it must be divisible by NHeads ({NHeads}).");
        Require(ValueDim % NHeads == 0, $"DModel·Ratio is {DModel * Ratio}; it must be a multiple of NHeads ({NHeads}).");
        return this;
    }
}
