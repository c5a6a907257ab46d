using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Ops;

/// <summary>
/// Autograd wrapper of the deformable-attention core: <see cref="DeformableSamplingKernel"/> for CPU tensors (float32 or
/// float64), the fused <see cref="Gpu.DeformableSamplingGpuKernel"/> for CUDA float32 tensors; inputs value, sampling
/// locations and attention weights, gradients for all three.
/// </summary>
internal sealed class DeformableAttentionFunction : autograd.MultiTensorFunction<DeformableAttentionFunction>
{
    public override string Name => nameof(DeformableAttentionFunction);

    /// <summary>Whether the kernel handles these tensors (otherwise the grid_sample formulation is used).</summary>
    public static bool Supports(Tensor value) =>
        value.device.type == DeviceType.CPU && value.dtype is ScalarType.Float32 or ScalarType.Float64
        || value.device.type == DeviceType.CUDA && Gpu.GpuSampling.Supports(value);

    public static Tensor Apply(Tensor value, DeformableSamplingKernel.Geometry geometry, Tensor locations, Tensor weights) =>
        apply(value, locations, weights, geometry)[0];

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var value = ((Tensor)vars[0]).contiguous();
        var locations = ((Tensor)vars[1]).to(value.dtype).contiguous();
        var weights = ((Tensor)vars[2]).to(value.dtype).contiguous();
        var g = (DeformableSamplingKernel.Geometry)vars[3];
        ctx.save_for_backward([value, locations, weights]);
        ctx.save_data("geometry", g);
        var output = zeros([g.N, g.Q, g.M * g.D], dtype: value.dtype, device: value.device);
        if (value.device.type == DeviceType.CUDA)
        {
            Gpu.GpuSampling.For(value.device).Forward(g, value, locations, weights, output);
            return [output];
        }
        Run(threads => Dispatch(value.dtype,
            () => Forward<float>(g, value, locations, weights, output, threads),
            () => Forward<double>(g, value, locations, weights, output, threads)));
        return [output];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var saved = ctx.get_saved_variables();
        Tensor value = saved[0], locations = saved[1], weights = saved[2];
        var g = (DeformableSamplingKernel.Geometry)ctx.get_data("geometry");
        var gradOutput = gradOutputs[0].to(value.dtype).contiguous();
        var gradValue = zeros_like(value);
        var gradLocations = zeros_like(locations);
        var gradWeights = zeros_like(weights);
        if (value.device.type == DeviceType.CUDA)
        {
            Gpu.GpuSampling.For(value.device).Backward(g, value, locations, weights, gradOutput, gradValue, gradLocations, gradWeights);
            return [gradValue, gradLocations, gradWeights, null!];
        }
        Run(threads => Dispatch(value.dtype,
            () => Backward<float>(g, value, locations, weights, gradOutput, gradValue, gradLocations, gradWeights, threads),
            () => Backward<double>(g, value, locations, weights, gradOutput, gradValue, gradLocations, gradWeights, threads)));
        return [gradValue, gradLocations, gradWeights, null!];
    }

    // The kernel uses as many workers as libtorch's intra-op thread count (torch.set_num_threads applies to it too).
    private static void Run(Action<int> body) => body(Math.Max(1, get_num_threads()));

    private static void Dispatch(ScalarType dtype, Action single, Action @double)
    {
        if (dtype == ScalarType.Float32) single();
        else if (dtype == ScalarType.Float64) @double();
        else throw new NotSupportedException($"the deformable-attention CPU kernel supports float32 and float64, not {dtype}.");
    }

    private static unsafe void Forward<T>(DeformableSamplingKernel.Geometry g, Tensor value, Tensor loc, Tensor attn, Tensor output, int threads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        using var sv = value.storage<T>();
        using var sl = loc.storage<T>();
        using var sa = attn.storage<T>();
        using var so = output.storage<T>();
        DeformableSamplingKernel.Forward(g, Ptr<T>(sv, value), Ptr<T>(sl, loc), Ptr<T>(sa, attn), Ptr<T>(so, output), threads);
    }

    private static unsafe void Backward<T>(DeformableSamplingKernel.Geometry g, Tensor value, Tensor loc, Tensor attn, Tensor gradOutput,
        Tensor gradValue, Tensor gradLoc, Tensor gradAttn, int threads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        using var sv = value.storage<T>();
        using var sl = loc.storage<T>();
        using var sa = attn.storage<T>();
        using var sg = gradOutput.storage<T>();
        using var sgv = gradValue.storage<T>();
        using var sgl = gradLoc.storage<T>();
        using var sga = gradAttn.storage<T>();
        DeformableSamplingKernel.Backward(g, Ptr<T>(sv, value), Ptr<T>(sl, loc), Ptr<T>(sa, attn), Ptr<T>(sg, gradOutput),
            Ptr<T>(sgv, gradValue), Ptr<T>(sgl, gradLoc), Ptr<T>(sga, gradAttn), threads);
    }

    // Data pointer of a contiguous CPU tensor: its storage base plus its storage offset.
    private static unsafe T* Ptr<T>(Storage<T> storage, Tensor t) where T : unmanaged => (T*)storage.data_ptr() + t.storage_offset();
}
