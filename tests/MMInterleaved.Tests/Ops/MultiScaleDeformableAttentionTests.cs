using MMInterleaved.Ops;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Ops;

[Collection(TorchCollection.Name)]
public class MultiScaleDeformableAttentionTests
{
    [Theory]
    [InlineData("float64", 1e-9, false)]
    [InlineData("float32", 1e-4, false)]
    [InlineData("float64", 1e-9, true)]
    [InlineData("float32", 1e-4, true)]
    public void Core_matches_the_reference_output_and_every_gradient(string dtypeName, double tolerance, bool gridSample)
    {
        using var scope = NewDisposeScope();
        using var fx = new SafetensorsFixture("mmfs/msda_core_a.safetensors");
        var dtype = dtypeName == "float64" ? float64 : float32;
        var value = fx["value"].to(dtype).requires_grad_();
        var loc = fx["sampling_locations"].to(dtype).requires_grad_();
        var weights = fx["attention_weights"].to(dtype).requires_grad_();

        var shapes = MultiScaleDeformableAttention.ReadShapes(fx["spatial_shapes"]);
        var starts = MultiScaleDeformableAttention.ReadStarts(fx["level_start_index"]);
        var output = gridSample
            ? MultiScaleDeformableAttention.ForwardGridSample(value, shapes, starts, loc, weights)   // the GPU / half-precision path
            : MultiScaleDeformableAttention.Forward(value, fx["spatial_shapes"], fx["level_start_index"], loc, weights); // CPU kernel
        output.backward([fx["grad_output"].to(dtype)]);

        Assert.True(SafetensorsFixture.RelativeError(output, fx["output"]) <= tolerance, "output");
        Assert.True(SafetensorsFixture.RelativeError(value.grad!, fx["grad_value"]) <= tolerance, "grad value");
        Assert.True(SafetensorsFixture.RelativeError(loc.grad!, fx["grad_sampling_locations"]) <= tolerance, "grad sampling locations");
        Assert.True(SafetensorsFixture.RelativeError(weights.grad!, fx["grad_attention_weights"]) <= tolerance, "grad attention weights");
    }

    [Fact]
    public void Kernel_equals_the_grid_sample_formulation_in_output_and_gradients()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        (long, long)[] shapes = [(6, 5), (3, 3), (6, 5), (3, 3)];
        long[] starts = MultiScaleDeformableAttention.StartsOf(shapes);
        long s = shapes.Sum(x => x.Item1 * x.Item2);
        Tensor[] Inputs() => [randn([3, s, 4, 16], generator: g, dtype: float64), rand([3, 11, 4, 4, 3, 2], generator: g, dtype: float64) * 1.4 - 0.2,
            rand([3, 11, 4, 4, 3], generator: g, dtype: float64)];
        var inputs = Inputs();
        var upstream = randn([3, 11, 64], generator: g, dtype: float64);
        Tensor[] Grads(Func<Tensor, Tensor, Tensor, Tensor> f)
        {
            var xs = inputs.Select(t => t.detach().clone().requires_grad_()).ToArray();
            var y = f(xs[0], xs[1], xs[2]);
            y.backward([upstream]);
            return [y.detach(), .. xs.Select(x => x.grad!)];
        }
        var kernel = Grads((v, l, w) => MultiScaleDeformableAttention.Forward(v, shapes, starts, l, w));
        var reference = Grads((v, l, w) => MultiScaleDeformableAttention.ForwardPerLevel(v, shapes, starts, l, w));
        for (int i = 0; i < 4; i++)
            Assert.True(SafetensorsFixture.RelativeError(kernel[i], reference[i]) <= 1e-12, $"tensor {i}");
    }

    [Fact]
    public void Batching_equal_shaped_levels_equals_one_call_per_level()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        (long, long)[] shapes = [(4, 6), (2, 3), (4, 6), (2, 3), (4, 6)]; // repeated shapes, as MMFS's images × levels
        long[] starts = MultiScaleDeformableAttention.StartsOf(shapes);
        long s = shapes.Sum(x => x.Item1 * x.Item2);
        var value = randn([2, s, 3, 4], generator: g, dtype: float64);
        var loc = rand([2, 7, 3, 5, 2, 2], generator: g, dtype: float64) * 1.4 - 0.2;
        var w = rand([2, 7, 3, 5, 2], generator: g, dtype: float64);

        var batched = MultiScaleDeformableAttention.ForwardGridSample(value, shapes, starts, loc, w);
        Tensor? oneByOne = null;
        for (int l = 0; l < shapes.Length; l++)
        {
            var part = MultiScaleDeformableAttention.ForwardGridSample(value.narrow(1, starts[l], shapes[l].Item1 * shapes[l].Item2),
                [shapes[l]], [0L], loc.narrow(3, l, 1), w.narrow(3, l, 1));
            oneByOne = oneByOne is null ? part : oneByOne + part;
        }
        Assert.True(SafetensorsFixture.RelativeError(batched, oneByOne!) <= 1e-12);
    }

    [Fact]
    public void Core_passes_finite_difference_checks_including_points_outside_the_map()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        (long, long)[] shapes = [(3, 4), (2, 2)];
        long[] starts = MultiScaleDeformableAttention.StartsOf(shapes);
        var value = randn([1, 16, 2, 3], generator: g, dtype: float64);
        // locations in [-0.3, 1.3]: some samples fall partly or wholly outside the map (zero padding)
        var loc = rand([1, 3, 2, 2, 2, 2], generator: g, dtype: float64) * 1.6 - 0.3;
        var w = rand([1, 3, 2, 2, 2], generator: g, dtype: float64);
        Assert.True((loc < 0).any().item<bool>() && (loc > 1).any().item<bool>(), "the draw must include points outside [0,1]");
        var upstream = randn([1, 3, 6], generator: g, dtype: float64);

        Tensor Loss(Tensor v, Tensor l, Tensor a) => (MultiScaleDeformableAttention.Forward(v, shapes, starts, l, a) * upstream).sum();

        var inputs = new[] { value, loc, w };
        foreach (var x in inputs) x.requires_grad_();
        Loss(value, loc, w).backward();
        const double h = 1e-6;
        for (int which = 0; which < 3; which++)
        {
            var analytic = inputs[which].grad!.clone().flatten();
            var flat = inputs[which].detach().clone().flatten();
            var numeric = zeros_like(flat);
            using (no_grad())
            {
                for (long i = 0; i < flat.shape[0]; i++)
                {
                    var plus = flat.clone(); plus[i] += h;
                    var minus = flat.clone(); minus[i] -= h;
                    Tensor[] p = inputs.Select(t => t.detach()).ToArray(), mi = inputs.Select(t => t.detach()).ToArray();
                    p[which] = plus.view(inputs[which].shape); mi[which] = minus.view(inputs[which].shape);
                    numeric[i] = (Loss(p[0], p[1], p[2]) - Loss(mi[0], mi[1], mi[2])) / (2 * h);
                }
            }
            // bilinear sampling is piecewise linear in the locations; away from pixel-centre kinks the check is tight
            Assert.True(SafetensorsFixture.RelativeError(analytic, numeric) <= 1e-6, $"input {which}");
        }
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_with_the_shapes_named()
    {
        using var scope = NewDisposeScope();
        var value = zeros(1, 10, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => MultiScaleDeformableAttention.Forward(
            value, tensor(new long[] { 3, 4 }).view(1, 2), tensor(new long[] { 0 }), zeros([1, 5, 2, 1, 2, 2]), zeros([1, 5, 2, 1, 2])));
        Assert.Contains("S=10", e.Message);
        Assert.Contains("12", e.Message);
    }
}
