using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The deformable-attention geometry of one adapter forward pass (adapter_modules.py <c>deform_inputs</c>) for a ViT
/// grid of side G. Injector: the G² ViT tokens, with reference points at their cell centres, sample the three SPM
/// levels (2G, G, G/2). Extractor: every SPM token, with its reference point at its own cell centre in its own
/// level, samples the single G×G ViT level. Reference points are (x, y) in [0, 1], shaped [1, Q, 1, 2] (one point
/// shared by all levels, broadcast over the batch).
/// </summary>
internal sealed record AdapterDeformInputs(
    Tensor InjectorReference, Tensor InjectorShapes, Tensor InjectorStarts,
    Tensor ExtractorReference, Tensor ExtractorShapes, Tensor ExtractorStarts,
    int[] SpmSides)
{
    /// <summary>Builds the geometry for grid side <paramref name="gridSide"/> (even) in the given dtype and device.</summary>
    public static AdapterDeformInputs Build(int gridSide, ScalarType dtype, Device device)
    {
        int g = gridSide;
        int[] spmSides = [2 * g, g, g / 2];
        Tensor injectorShapes = tensor(spmSides.SelectMany(s => new long[] { s, s }).ToArray(), device: device).view(3, 2);
        Tensor injectorStarts = tensor(new long[] { 0, 4L * g * g, 5L * g * g }, device: device);
        Tensor extractorShapes = tensor(new long[] { g, g }, device: device).view(1, 2);
        Tensor extractorStarts = tensor(new long[] { 0 }, device: device);
        return new AdapterDeformInputs(
            CellCentres([g], dtype, device), injectorShapes, injectorStarts,
            CellCentres(spmSides, dtype, device), extractorShapes, extractorStarts,
            spmSides);
    }

    /// <summary>The reference's <c>get_reference_points</c>: cell centres ((j+½)/W, (i+½)/H) of each square level in
    /// row-major order, levels concatenated, as [1, Σ side², 1, 2].</summary>
    private static Tensor CellCentres(IReadOnlyList<int> sides, ScalarType dtype, Device device)
    {
        var levels = new List<Tensor>(sides.Count);
        foreach (int side in sides)
        {
            Tensor coordinate = (arange(side, dtype: dtype, device: device) + 0.5) / side;
            Tensor x = coordinate.view(1, side).expand(side, side).reshape(-1); // column index varies fastest
            Tensor y = coordinate.view(side, 1).expand(side, side).reshape(-1);
            levels.Add(stack([x, y], -1));
        }
        return cat(levels, 0).view(1, -1, 1, 2);
    }
}
