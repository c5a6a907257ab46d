using MMInterleaved.Ops;
using MMInterleaved.Ops.Gpu;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Ops;

/// <summary>The fused GPU kernel (<see cref="DeformableSamplingGpuKernel"/>), run here on ILGPU's CPU accelerator: the same
/// kernel code that runs as PTX on a CUDA tensor, checked against the reference fixture and the CPU kernel.</summary>
[Collection(TorchCollection.Name)]
public class GpuSamplingTests
{
    private static DeformableSamplingKernel.Geometry GeometryOf(Tensor value, Tensor loc, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts) =>
        new((int)value.shape[0], value.shape[1], (int)value.shape[2], (int)value.shape[3], loc.shape[1], (int)loc.shape[3], (int)loc.shape[4],
            shapes.Select(x => x.H).ToArray(), shapes.Select(x => x.W).ToArray(), starts.ToArray());

    // output and the three gradients of the fused kernel for an upstream gradient
    private static Tensor[] Fused(Tensor value, Tensor loc, Tensor weights, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor upstream)
    {
        var g = GeometryOf(value, loc, shapes, starts);
        var output = zeros([g.N, g.Q, g.M * g.D]);
        Tensor gradValue = zeros_like(value), gradLoc = zeros_like(loc), gradWeights = zeros_like(weights);
        GpuSampling.Cpu.Forward(g, value, loc, weights, output);
        GpuSampling.Cpu.Backward(g, value, loc, weights, upstream.contiguous(), gradValue, gradLoc, gradWeights);
        return [output, gradValue, gradLoc, gradWeights];
    }

    [Fact]
    public void Fused_kernel_matches_the_reference_output_and_every_gradient_in_float32()
    {
        using var scope = NewDisposeScope();
        using var fx = new SafetensorsFixture("mmfs/msda_core_a.safetensors");
        var shapes = MultiScaleDeformableAttention.ReadShapes(fx["spatial_shapes"]);
        var starts = MultiScaleDeformableAttention.ReadStarts(fx["level_start_index"]);
        var got = Fused(fx["value"].to(float32).contiguous(), fx["sampling_locations"].to(float32).contiguous(),
            fx["attention_weights"].to(float32).contiguous(), shapes, starts, fx["grad_output"].to(float32));
        string[] names = ["output", "grad_value", "grad_sampling_locations", "grad_attention_weights"];
        for (int i = 0; i < 4; i++)
            Assert.True(SafetensorsFixture.RelativeError(got[i], fx[names[i]]) <= 1e-4, names[i]);
    }

    [Fact]
    public void Fused_kernel_equals_the_cpu_kernel_with_channels_not_a_multiple_of_the_warp_and_points_outside()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        (long, long)[] shapes = [(7, 5), (3, 4), (7, 5)];
        long[] starts = MultiScaleDeformableAttention.StartsOf(shapes);
        long s = shapes.Sum(x => x.Item1 * x.Item2);
        int d = GpuSampling.Cpu.WarpSize + 3; // two rounds of lanes, the second one partly idle
        var value = randn([2, s, 3, d], generator: gen);
        var loc = rand([2, 9, 3, 3, 4, 2], generator: gen) * 1.6 - 0.3; // about a third of the samples partly or wholly outside
        var weights = rand([2, 9, 3, 3, 4], generator: gen);
        var upstream = randn([2, 9, 3 * d], generator: gen);

        var fused = Fused(value, loc, weights, shapes, starts, upstream);
        var xs = new[] { value, loc, weights }.Select(t => t.detach().clone().requires_grad_()).ToArray();
        var y = MultiScaleDeformableAttention.Forward(xs[0], shapes, starts, xs[1], xs[2]); // the CPU kernel
        y.backward([upstream]);
        Tensor[] cpu = [y.detach(), .. xs.Select(x => x.grad!)];
        for (int i = 0; i < 4; i++)
            Assert.True(SafetensorsFixture.RelativeError(fused[i], cpu[i]) <= 1e-5, $"tensor {i}: relative error {SafetensorsFixture.RelativeError(fused[i], cpu[i])}");
        Assert.True(fused[2].abs().sum().item<float>() > 0); // the location gradient is not trivially zero
    }

    [Fact]
    public void Fused_kernel_refuses_other_dtypes_and_strided_tensors_by_name()
    {
        using var scope = NewDisposeScope();
        var value = randn([1, 4, 1, 2], dtype: float64);
        var loc = rand([1, 1, 1, 1, 1, 2]);
        var g = GeometryOf(value, loc, [(2, 2)], [0]);
        var e = Assert.Throws<ArgumentException>(() => GpuSampling.Cpu.Forward(g, value, loc, rand([1, 1, 1, 1, 1]), zeros([1, 1, 2])));
        Assert.Contains("contiguous float32", e.Message);
        Assert.Contains("Float64", e.Message);
        Assert.False(GpuSampling.Supports(value));
    }
}
