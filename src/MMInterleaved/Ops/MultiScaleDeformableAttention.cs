using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Ops;

/// <summary>
/// The multi-scale deformable-attention core of Deformable-DETR, as the reference's CUDA kernel and its
/// pure-PyTorch twin (<c>ms_deform_attn_core_pytorch</c>) compute it: for each query and head,
/// Σ over levels and points of weight × bilinear sample of that level's value map at the sampling location.
/// Bilinear sampling uses the pixel-centre convention with zero padding, i.e. grid_sample(bilinear, zeros,
/// align_corners=false) on grid = 2·loc − 1. Differentiable in value, locations and weights (autograd through
/// grid_sample); any number of levels, non-square levels, any floating dtype, any device.
/// </summary>
public static class MultiScaleDeformableAttention
{
    /// <summary>
    /// value [N,S,M,D]; spatialShapes [L,2] int64 rows (H,W); levelStartIndex [L] int64;
    /// samplingLocations [N,Lq,M,L,P,2] in [0,1], (x,y), (0,0) top-left; attentionWeights [N,Lq,M,L,P].
    /// Returns [N,Lq,M·D].
    /// </summary>
    public static Tensor Forward(Tensor value, Tensor spatialShapes, Tensor levelStartIndex, Tensor samplingLocations, Tensor attentionWeights) =>
        Forward(value, ReadShapes(spatialShapes), ReadStarts(levelStartIndex), samplingLocations, attentionWeights);

    /// <summary>Same as the tensor overload, with shapes (H,W) and level starts given on the host (no device sync).
    /// On the CPU in float32/float64 it runs <see cref="DeformableSamplingKernel"/>, on CUDA in float32 the fused
    /// <see cref="Gpu.DeformableSamplingGpuKernel"/>; otherwise (half precision) <see cref="ForwardGridSample"/>.</summary>
    public static Tensor Forward(Tensor value, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor samplingLocations, Tensor attentionWeights)
    {
        Validate(value, shapes, starts, samplingLocations, attentionWeights);
        if (!DeformableAttentionFunction.Supports(value))
            return ForwardGridSample(value, shapes, starts, samplingLocations, attentionWeights);
        var geometry = new DeformableSamplingKernel.Geometry((int)value.shape[0], value.shape[1], (int)value.shape[2], (int)value.shape[3],
            samplingLocations.shape[1], (int)samplingLocations.shape[3], (int)samplingLocations.shape[4],
            shapes.Select(x => x.H).ToArray(), shapes.Select(x => x.W).ToArray(), starts.ToArray());
        return DeformableAttentionFunction.Apply(value, geometry, samplingLocations, attentionWeights);
    }

    /// <summary>The same result built from grid_sample (differentiable through TorchSharp's autograd), for devices and
    /// dtypes the CPU kernel does not cover.</summary>
    public static Tensor ForwardGridSample(Tensor value, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor samplingLocations, Tensor attentionWeights)
    {
        long n = value.shape[0], s = value.shape[1], m = value.shape[2], d = value.shape[3];
        long lq = samplingLocations.shape[1], levels = samplingLocations.shape[3], points = samplingLocations.shape[4];
        Validate(value, shapes, starts, samplingLocations, attentionWeights);

        using var scope = NewDisposeScope();
        Tensor grid = samplingLocations * 2 - 1;
        Tensor? sum = null;
        // Levels of equal shape (in MMFS: the same level of every image) are sampled in ONE grid_sample call,
        // stacked along the batch dimension together with heads and images. One call per image and level, as a
        // straightforward port would do, launches I·L small calls whose per-call overhead dominates on CPU and
        // leaves a GPU mostly idle; batching makes it L calls of I times the work.
        foreach (var group in Enumerable.Range(0, (int)levels).GroupBy(l => shapes[l]))
        {
            long[] ls = group.Select(l => (long)l).ToArray();
            long k = ls.Length, h = group.Key.H, w = group.Key.W;
            // [N, k, HW, M, D] -> [N, k, M, D, H, W] -> [N·k·M, D, H, W]
            Tensor maps = stack(ls.Select(l => value.narrow(1, starts[(int)l], h * w)).ToArray(), 1)
                .permute(0, 1, 3, 4, 2).reshape(n * k * m, d, h, w);
            using var index = tensor(ls, device: value.device);
            // [N, Lq, M, k, P, 2] -> [N, k, M, Lq, P, 2] -> [N·k·M, Lq, P, 2]
            Tensor g = (k == levels ? grid : grid.index_select(3, index)).permute(0, 3, 2, 1, 4, 5).reshape(n * k * m, lq, points, 2);
            Tensor a = (k == levels ? attentionWeights : attentionWeights.index_select(3, index)).permute(0, 3, 2, 1, 4).reshape(n * k * m, 1, lq, points);
            Tensor sampled = F.grid_sample(maps, g, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
            // Σ over points, then over the k levels of the group: [N, M, D, Lq]
            Tensor part = (sampled * a).sum(-1).view(n, k, m, d, lq).sum(1);
            sum = sum is null ? part : sum + part;
        }
        return sum!.permute(0, 3, 1, 2).reshape(n, lq, m * d).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same result with one grid_sample call per level, as the reference's pure-PyTorch core and a
    /// straightforward port do (MMFS's images × levels then cost one call each). Kept as the benchmark baseline.
    /// </summary>
    public static Tensor ForwardPerLevel(Tensor value, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor samplingLocations, Tensor attentionWeights)
    {
        Tensor? sum = null;
        for (int l = 0; l < shapes.Count; l++)
        {
            Tensor part = ForwardGridSample(value.narrow(1, starts[l], shapes[l].H * shapes[l].W), [shapes[l]], [0L],
                samplingLocations.narrow(3, l, 1), attentionWeights.narrow(3, l, 1));
            sum = sum is null ? part : sum + part;
        }
        return sum ?? throw new ArgumentException("ForwardPerLevel needs at least one level.");
    }

    /// <summary>(H,W) rows of a [L,2] int64 tensor.</summary>
    public static (long H, long W)[] ReadShapes(Tensor spatialShapes)
    {
        if (spatialShapes.dim() != 2 || spatialShapes.shape[1] != 2)
            throw new ArgumentException($"spatialShapes must have shape [L,2] with rows (H,W); got [{string.Join(",", spatialShapes.shape)}].");
        long[] v = spatialShapes.to(int64).cpu().data<long>().ToArray();
        return Enumerable.Range(0, v.Length / 2).Select(i => (v[2 * i], v[2 * i + 1])).ToArray();
    }

    /// <summary>Values of a [L] int64 tensor.</summary>
    public static long[] ReadStarts(Tensor levelStartIndex) => levelStartIndex.to(int64).cpu().data<long>().ToArray();

    /// <summary>Level start indices (exclusive cumulative sums of H·W).</summary>
    public static long[] StartsOf(IReadOnlyList<(long H, long W)> shapes)
    {
        var starts = new long[shapes.Count];
        for (int l = 1; l < shapes.Count; l++) starts[l] = starts[l - 1] + shapes[l - 1].H * shapes[l - 1].W;
        return starts;
    }

    private static void Validate(Tensor value, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor loc, Tensor weights)
    {
        string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";
        if (value.dim() != 4) throw new ArgumentException($"value must be [N,S,M,D]; got {Shape(value)}.");
        if (loc.dim() != 6 || loc.shape[5] != 2) throw new ArgumentException($"samplingLocations must be [N,Lq,M,L,P,2]; got {Shape(loc)}.");
        if (weights.dim() != 5) throw new ArgumentException($"attentionWeights must be [N,Lq,M,L,P]; got {Shape(weights)}.");
        long levels = loc.shape[3];
        if (shapes.Count != levels || starts.Count != levels)
            throw new ArgumentException($"samplingLocations has {levels} levels but spatialShapes has {shapes.Count} and levelStartIndex {starts.Count}.");
        if (loc.shape[0] != value.shape[0] || loc.shape[2] != value.shape[2])
            throw new ArgumentException($"samplingLocations {Shape(loc)} does not match value {Shape(value)} in N or M.");
        if (!weights.shape.SequenceEqual(loc.shape.Take(5)))
            throw new ArgumentException($"attentionWeights {Shape(weights)} must equal samplingLocations {Shape(loc)} without its last dimension.");
        long total = shapes.Sum(s => s.H * s.W);
        if (total != value.shape[1])
            throw new ArgumentException($"value has S={value.shape[1]} positions but spatialShapes sum to {total}.");
        for (int l = 0; l < levels; l++)
            if (starts[l] < 0 || starts[l] + shapes[l].H * shapes[l].W > value.shape[1])
                throw new ArgumentException($"level {l} (start {starts[l]}, {shapes[l].H}x{shapes[l].W}) lies outside value's {value.shape[1]} positions.");
    }
}
