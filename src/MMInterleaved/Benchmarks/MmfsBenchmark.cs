using MMInterleaved.Mmfs;
using MMInterleaved.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Benchmarks;

/// <summary>
/// Times MMFS as built against (b) a straightforward formulation that mirrors the reference (query repeated per
/// image, one sampling call per image and level) and (c) dense cross-attention over the same feature maps, forward
/// and forward+backward, in one process, together with that process's float32 matmul rate (`mmi bench mmfs`).
/// </summary>
public static class MmfsBenchmark
{
    /// <summary>Variant names, in report order.</summary>
    public const string CoreBatched = "core (a) batched per level shape", CorePerLevel = "core (b) one call per image and level",
        CoreGridSample = "core (d) grid_sample formulation",
        Synchronizer = "MMFS (a) as built", Straightforward = "MMFS (b) straightforward", Dense = "dense cross-attention (c)";

    /// <summary>Runs every variant <paramref name="repeats"/> times after one warm-up, on the given device.</summary>
    public static MmfsBenchReport Run(MmfsBenchShape shape, int repeats, Device? device = null, long seed = 0, Action<string>? progress = null)
    {
        device ??= CPU;
        manual_seed(seed);
        var options = new MmfsOptions(DModel: shape.DModel, DQuery: shape.DQuery, DValue: shape.DValue, DOut: shape.DQuery,
            NumLevels: shape.Levels.Length, NumHeads: shape.NumHeads, NumPoints: shape.NumPoints, Ratio: shape.Ratio,
            OffsetInitMagnitude: shape.BaseSide / 4.0, SpatialShapes: shape.Levels, BaseSpatialShape: shape.BaseSide,
            MaxImagesPerSequence: 50) { ProjectionInitStd = 0.02 };
        var mmfs = new MultiModalFeatureSynchronizer(options);
        mmfs.to(device);
        var dense = new DenseCrossAttention(shape.DQuery, shape.DValue, shape.ValueDim, shape.NumHeads, shape.DQuery);
        dense.to(device);

        long t = shape.Tokens, images = shape.Images, s = shape.PositionsPerImage;
        var levelShapes = Enumerable.Range(0, (int)images).SelectMany(_ => shape.Levels.Select(x => ((long)x, (long)x))).ToArray();
        var query = randn(1, t, shape.DQuery, device: device);
        var features = randn(1, images, s, shape.DValue, device: device);
        var reference = full(1, t, 1, 2, 0.5f, device: device);
        var spatial = tensor(levelShapes.SelectMany(x => new[] { x.Item1, x.Item2 }).ToArray(), device: device).view(-1, 2);
        var starts = tensor(MultiScaleDeformableAttention.StartsOf(levelShapes), device: device);
        // causal layout: the images start at even intervals, and each token sees the images started before it
        var mask = (arange(images, device: device).view(1, 1, images) * t / images <= arange(t, device: device).view(1, t, 1)).to(int64);
        var upstream = randn(1, t, shape.DQuery, device: device);

        // Core inputs of the same size as inside the synchronizer.
        int d = shape.ValueDim / shape.NumHeads, slots = (int)images * shape.Levels.Length;
        var value = randn(1, images * s, shape.NumHeads, d, device: device);
        var locations = rand([1, t, shape.NumHeads, slots, shape.NumPoints, 2], device: device);
        var weights = rand([1, t, shape.NumHeads, slots, shape.NumPoints], device: device).softmax(-1);
        var coreUpstream = randn(1, t, shape.ValueDim, device: device);

        double difference;
        using (no_grad())
        using (NewDisposeScope())
        {
            var a = mmfs.forward(query, reference, features, spatial, starts, mask);
            var b = mmfs.ForwardStraightforward(query, reference, features, spatial, starts, mask);
            difference = ((a - b).abs().max() / b.abs().max()).item<float>();
        }

        var rows = new List<MmfsBenchRow>();
        void Measure(string variant, Func<Tensor, Tensor, Tensor> forward, Tensor x, Tensor y, Tensor grad, nn.Module? module)
        {
            progress?.Invoke($"{shape.Name}: {variant}");
            // CUDA runs asynchronously: each timed run ends when the device has finished it
            void Sync() { if (device.type == DeviceType.CUDA) cuda.synchronize(device); }
            var fwd = BenchTiming.Time(repeats, () =>
            {
                using var noGrad = no_grad();
                using var scope = NewDisposeScope();
                forward(x, y);
                Sync();
            });
            var xg = x.detach().requires_grad_();
            var yg = y.detach().requires_grad_();
            var bwd = BenchTiming.Time(repeats, () =>
            {
                using var scope = NewDisposeScope();
                module?.zero_grad();
                xg.grad?.zero_();
                yg.grad?.zero_();
                forward(xg, yg).backward([grad]);
                Sync();
            });
            rows.Add(new MmfsBenchRow(shape.Name, variant, BenchTiming.Median(fwd), BenchTiming.Median(bwd), fwd, bwd));
        }

        Measure(CoreBatched, (v, l) => MultiScaleDeformableAttention.Forward(v, levelShapes, MultiScaleDeformableAttention.StartsOf(levelShapes), l, weights), value, locations, coreUpstream, null);
        // (a) is the CPU kernel on the CPU and the fused ILGPU kernel on CUDA (float32); (d) is what both replace
        Measure(CoreGridSample, (v, l) => MultiScaleDeformableAttention.ForwardGridSample(v, levelShapes, MultiScaleDeformableAttention.StartsOf(levelShapes), l, weights), value, locations, coreUpstream, null);
        Measure(CorePerLevel, (v, l) => MultiScaleDeformableAttention.ForwardPerLevel(v, levelShapes, MultiScaleDeformableAttention.StartsOf(levelShapes), l, weights), value, locations, coreUpstream, null);
        Measure(Synchronizer, (q, f) => mmfs.forward(q, reference, f, spatial, starts, mask), query, features, upstream, mmfs);
        Measure(Straightforward, (q, f) => mmfs.ForwardStraightforward(q, reference, f, spatial, starts, mask), query, features, upstream, mmfs);
        Measure(Dense, (q, f) => dense.forward(q, f, mask), query, features, upstream, dense);

        progress?.Invoke($"{shape.Name}: matmul rate");
        return new MmfsBenchReport(shape.Name, get_num_threads(), MatmulGflops(device), ForwardMacs(shape, options), rows, difference);
    }

    /// <summary>Multiply-adds of the built synchronizer's forward pass at this shape (one batch).</summary>
    public static double ForwardMacs(MmfsBenchShape shape, MmfsOptions options)
    {
        double q = shape.Tokens, images = shape.Images, s = shape.PositionsPerImage, dq = shape.DQuery, dv = shape.ValueDim;
        double m = shape.NumHeads, p = shape.NumPoints, lv = shape.Levels.Length, e = options.MaxImagesPerSequence;
        double value = images * s * shape.DValue * dv;                    // value_proj on every image position
        double dynamic = q * dq * dq;                                      // dynamic_offset_mask, once per token
        double offsets = (q + e) * dq * m * p * 2;                         // per token + per relative index
        double logits = (q + e) * dq * m * lv * (p + 1);
        double sampling = q * m * images * lv * p * (dv / m) * 5;          // 4 bilinear taps + the weight
        double output = q * dv * options.OutDim;
        return value + dynamic + offsets + logits + sampling + output;
    }

    /// <summary>Median GFLOP/s of a 2048×2048 float32 matmul on the device (this process, current thread count).</summary>
    public static double MatmulGflops(Device device, int size = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn(size, size, device: device);
        var b = randn(size, size, device: device);
        var times = BenchTiming.Time(repeats, () => { using var inner = NewDisposeScope(); a.matmul(b).sum().item<float>(); });
        return 2.0 * size * size * size / (BenchTiming.Median(times) / 1e3) / 1e9;
    }
}
