namespace MMInterleaved.Ops;

/// <summary>Constructor arguments of Deformable-DETR's <c>MSDeformAttn</c> (as vendored by the reference's
/// ViT-Adapter), with the same names and defaults.</summary>
/// <param name="DModel">Query and output width.</param>
/// <param name="NumLevels">Feature levels.</param>
/// <param name="NumHeads">Attention heads.</param>
/// <param name="NumPoints">Sampling points per head and level.</param>
/// <param name="Ratio">Value width = DModel·Ratio (the ViT-Adapter uses 0.5).</param>
public sealed record MSDeformAttnOptions(int DModel = 256, int NumLevels = 4, int NumHeads = 8, int NumPoints = 4, double Ratio = 1.0)
{
    /// <summary>Value width.</summary>
    public int ValueDim => (int)(DModel * Ratio);

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public MSDeformAttnOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("MSDeformAttnOptions: " + message); }
        Require(DModel > 0 && NumLevels > 0 && NumHeads > 0 && NumPoints > 0 && Ratio > 0,
            $"DModel ({DModel}), NumLevels ({NumLevels}), NumHeads ({NumHeads}), NumPoints ({NumPoints}) and Ratio ({Ratio}) must all be positive.");
        Require(DModel % NumHeads == 0, $"DModel is {DModel}; it must be divisible by NumHeads ({NumHeads}).");
        Require(ValueDim % NumHeads == 0, $"DModel·Ratio is {DModel * Ratio}; it must be a multiple of NumHeads ({NumHeads}).");
        return this;
    }
}
