using MMInterleaved.Mmfs;
using MMInterleaved.Ops;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Mmfs;

/// <summary>MMFS properties the fixtures cannot cover: masks, padding, incremental decoding, boxes, init, inspection.</summary>
[Collection(TorchCollection.Name)]
public class MmfsBehaviourTests
{
    private static readonly MmfsOptions Small = new(DModel: 16, DQuery: 12, DValue: 10, DOut: 8, NumLevels: 2, NumHeads: 2, NumPoints: 3,
        Ratio: 1.0, OffsetInitMagnitude: 1, SpatialShapes: [4, 2], BaseSpatialShape: 4, MaxImagesPerSequence: 8);

    private sealed record Inputs(Tensor Query, Tensor Reference, Tensor Features, Tensor Shapes, Tensor Starts);

    private static Inputs Make(long n, long q, long images, Generator g, ScalarType dtype = ScalarType.Float64)
    {
        (long, long)[] perImage = [(4, 4), (2, 2)];
        var shapes = Enumerable.Repeat(perImage, (int)images).SelectMany(x => x).ToArray();
        long s = perImage.Sum(x => x.Item1 * x.Item2);
        return new Inputs(
            randn([n, q, 12], generator: g, dtype: dtype),
            rand([n, q, 1, 2], generator: g, dtype: dtype),
            randn([n, images, s, 10], generator: g, dtype: dtype),
            tensor(shapes.SelectMany(x => new[] { x.Item1, x.Item2 }).ToArray()).view(-1, 2),
            tensor(MultiScaleDeformableAttention.StartsOf(shapes)));
    }

    private static MultiModalFeatureSynchronizer Module(long seed = 1)
    {
        manual_seed(seed);
        var module = new MultiModalFeatureSynchronizer(Small);
        module.to(float64);
        using (no_grad())
            foreach (var (_, p) in module.named_parameters()) p.add_(randn_like(p) * 0.3); // no zero init hides a wiring error
        return module;
    }

    [Fact]
    public void Host_side_geometry_gives_the_tensor_geometry_result_and_the_relative_index_limit_still_holds()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(2, 3, 2, new Generator(9));
        var mask = ones(2, 3, 2, dtype: int64);
        var fromTensors = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask);
        var fromHost = module.forward(x.Query, x.Reference, x.Features, MultiScaleDeformableAttention.ReadShapes(x.Shapes), MultiScaleDeformableAttention.ReadStarts(x.Starts), mask);
        Assert.True(fromTensors.eq(fromHost).all().item<bool>());
        // with as many image slots as the relative-index table has rows, a token seeing all of them is refused
        var many = Make(1, 1, Small.MaxImagesPerSequence, new Generator(10));
        var all = ones(1, 1, Small.MaxImagesPerSequence, dtype: int64);
        var e = Assert.Throws<ArgumentException>(() => module.forward(many.Query, many.Reference, many.Features, many.Shapes, many.Starts, all));
        Assert.Contains("MaxImagesPerSequence", e.Message);
        var fewer = all.clone();
        fewer[0, 0, 0] = 0;   // one hidden: the largest relative index is one below the limit
        Assert.Equal([1, 1, Small.DOut], module.forward(many.Query, many.Reference, many.Features, many.Shapes, many.Starts, fewer).shape);
    }

    [Fact]
    public void A_query_that_may_see_no_image_outputs_exactly_the_output_projection_bias()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        using (no_grad()) module.get_parameter("ignore_token")!.zero_();
        var x = Make(2, 3, 2, new Generator(1));
        var mask = tensor(new long[] { 1, 1, 0, 0 }).view(2, 2); // row 1 sees no image
        var output = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask);
        var bias = module.get_parameter("output_proj.bias")!;
        Assert.True(output[1].eq(bias.expand(3, -1)).all().item<bool>(), "row without images must output exactly output_proj.bias");
        Assert.False(output[0].eq(bias.expand(3, -1)).all().item<bool>());
    }

    [Fact]
    public void Masked_image_slots_receive_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(2, 4, 3, new Generator(2));
        var features = x.Features.requires_grad_();
        var mask = tensor(new long[] { 1, 0, 1, 0, 1, 1 }).view(2, 3); // row 0 may not see image 1, row 1 not image 0
        module.forward(x.Query, x.Reference, features, x.Shapes, x.Starts, mask).pow(2).sum().backward();
        var grad = features.grad!;
        Assert.Equal(0.0, grad[0, 1].abs().max().item<double>());
        Assert.Equal(0.0, grad[1, 0].abs().max().item<double>());
        Assert.True(grad[0, 0].abs().max().item<double>() > 0 && grad[1, 2].abs().max().item<double>() > 0);
    }

    [Fact]
    public void Results_do_not_depend_on_how_many_padded_image_slots_follow()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(2, 5, 2, new Generator(3));
        var mask = tensor(new long[] { 1, 1, 1, 0 }).view(2, 2);
        var plain = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask);

        var padded = Make(2, 5, 4, new Generator(4)); // two extra slots of garbage features, masked out
        var features = cat([x.Features, padded.Features.narrow(1, 0, 2)], 1);
        var paddedMask = cat([mask, zeros(2, 2, dtype: int64)], 1);
        var withPadding = module.forward(x.Query, x.Reference, features, padded.Shapes, padded.Starts, paddedMask);
        Assert.True(SafetensorsFixture.RelativeError(withPadding, plain) <= 1e-12);
    }

    [Fact]
    public void Incremental_decoding_uses_the_last_mask_row()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(1, 4, 3, new Generator(5));
        // token t sees images started before it: a causal, per-token 3-D mask
        var mask = tensor(new long[] { 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1 }).view(1, 4, 3);
        var full = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask);
        var last = module.forward(x.Query.narrow(1, 3, 1), x.Reference.narrow(1, 3, 1), x.Features, x.Shapes, x.Starts, mask);
        Assert.True(SafetensorsFixture.RelativeError(last, full.narrow(1, 3, 1)) <= 1e-12);
        // and the 3-D mask really is per token: the first token differs from a run where it may see every image
        var allVisible = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, ones(1, 3, dtype: int64));
        Assert.True(SafetensorsFixture.RelativeError(allVisible.narrow(1, 0, 1), full.narrow(1, 0, 1)) > 1e-3);
    }

    [Fact]
    public void Inspection_returns_locations_and_weights_without_changing_the_output()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(1, 6, 2, new Generator(6));
        var mask = tensor(new long[] { 1, 0 }).view(1, 2);
        var output = module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask);
        var samples = module.Inspect(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, mask, [0, 4]);
        Assert.True(output.eq(samples.Output).all().item<bool>());
        Assert.Equal(new long[] { 1, 2, 2, 2, 2, 3, 2 }, samples.Locations!.shape);
        Assert.Equal(new long[] { 1, 2, 2, 2, 2, 3 }, samples.Weights!.shape);
        // weights + null slot sum to one per (query, head); the hidden image gets nothing
        var total = samples.Weights.sum([3, 4, 5]) + samples.NullWeight!;
        Assert.True(total.allclose(ones_like(total), 1e-12, 1e-12));
        Assert.Equal(0.0, samples.Weights.select(3, 1).abs().max().item<double>());
        // offsets are shared by levels: every level samples the same normalised point (square maps, reference sides)
        Assert.True(samples.Locations.select(4, 0).allclose(samples.Locations.select(4, 1), 1e-12, 1e-12));
    }

    [Fact]
    public void Box_reference_points_scale_offsets_by_half_the_box_over_points()
    {
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(1, 2, 1, new Generator(7));
        var mask = ones(1, 1, dtype: int64);
        var centre = x.Reference;                                     // [1,2,1,2]
        var box = cat([centre, tensor(new[] { 0.5, 0.25 }, dtype: float64).expand(1, 2, 1, 2)], -1);
        var asPoint = module.Inspect(x.Query, centre, x.Features, x.Shapes, x.Starts, mask, [0, 1]).Locations!;
        var asBox = module.Inspect(x.Query, box, x.Features, x.Shapes, x.Starts, mask, [0, 1]).Locations!;
        // point form: loc = c + Δ_l/(W_l,H_l); box form: loc = c + Δ_l/P·(w,h)/2  (levels 4x4 and 2x2)
        var c = centre.view(1, 2, 1, 1, 1, 1, 2);
        var size = tensor(new double[] { 4, 4, 2, 2 }).view(1, 1, 1, 1, 2, 1, 2);
        var delta = (asPoint - c) * size;
        var expected = c + delta / 3 * tensor(new[] { 0.5, 0.25 }, dtype: float64) * 0.5;
        Assert.True(asBox.allclose(expected, 1e-12, 1e-12));
    }

    [Fact]
    public void Initialisation_follows_the_reference()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var module = new MultiModalFeatureSynchronizer(Small with { MaxImagesPerSequence = 50, DQuery = 256 });
        var p = module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0.0, p["sampling_offsets.weight"].abs().max().item<float>());
        Assert.True(p["sampling_offsets.bias"].abs().max().item<float>() <= 1.0f);
        Assert.True(p["sampling_offsets.bias"].abs().max().item<float>() > 0.5f);
        foreach (var zero in new[] { "attention_weights.bias", "value_proj.bias", "output_proj.bias", "dynamic_offset_mask.bias", "ignore_token" })
            Assert.Equal(0.0, p[zero].abs().max().item<float>());
        Assert.False(p["ignore_token"].requires_grad);
        double std = p["query_relpos.weight"].std().item<float>();
        Assert.InRange(std, 0.017, 0.023);
        var hf = new MultiModalFeatureSynchronizer(Small with { DQuery = 256 } with { ProjectionInitStd = 0.02 });
        Assert.InRange(hf.get_parameter("dynamic_offset_mask.weight")!.std().item<float>(), 0.018, 0.022);
        Assert.True(new MultiModalFeatureSynchronizer(Small with { IgnoreTokenTrainable = true }).get_parameter("ignore_token")!.requires_grad);
    }

    [Fact]
    public void Bad_options_and_shapes_name_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new MultiModalFeatureSynchronizer(Small with { SpatialShapes = [4] }));
        Assert.Contains("SpatialShapes", e.Message);
        using var scope = NewDisposeScope();
        var module = Module();
        var x = Make(1, 2, 2, new Generator(8));
        var bad = Assert.Throws<ArgumentException>(() => module.forward(x.Query, x.Reference, x.Features, x.Shapes, x.Starts, ones(1, 3, dtype: int64)));
        Assert.Contains("attentionMask", bad.Message);
    }
}
