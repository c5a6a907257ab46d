using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Ops.Gpu;

/// <summary>
/// Launches <see cref="DeformableSamplingGpuKernel"/> on tensors' own memory (zero-copy, <see cref="TensorMemoryBuffer"/>):
/// CUDA tensors on a CUDA accelerator bound to libtorch's primary context and launched on the legacy default stream, the
/// stream libtorch's own kernels use here, so no synchronisation is needed either way; CPU tensors on ILGPU's CPU
/// accelerator, which runs the very same kernel code (how CI checks it without a GPU). float32 only for now.
/// </summary>
internal sealed class GpuSampling
{
    // 4 warps of one item each per group: enough threads per block to hide latency, small enough not to idle at the tail
    private const int WarpsPerGroup = 4;

    private static readonly Lazy<GpuSampling> CpuInstance = new(() =>
    {
        var context = Context.Create(builder => builder.CPU());
        return new GpuSampling(context.CreateCPUAccelerator(0));
    });
    private static readonly ConcurrentDictionary<int, GpuSampling> CudaInstances = new();

    private readonly Accelerator accelerator;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, ArrayView<float>, DeformableSamplingGpuKernel.Shape> forward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DeformableSamplingGpuKernel.Shape> backward;
    private readonly Dictionary<string, MemoryBuffer1D<long, Stride1D.Dense>> levelTables = [];
    private readonly object gate = new();

    private GpuSampling(Accelerator accelerator)
    {
        this.accelerator = accelerator;
        forward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, ArrayView<float>, DeformableSamplingGpuKernel.Shape>(DeformableSamplingGpuKernel.Forward);
        backward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DeformableSamplingGpuKernel.Shape>(DeformableSamplingGpuKernel.Backward);
    }

    /// <summary>ILGPU's CPU accelerator (for checks without a GPU).</summary>
    public static GpuSampling Cpu => CpuInstance.Value;

    /// <summary>The accelerator for tensors on <paramref name="device"/>: the CPU accelerator for CPU tensors, else the CUDA
    /// accelerator of that GPU.</summary>
    public static GpuSampling For(torch.Device device) =>
        device.type == DeviceType.CPU ? Cpu : CudaInstances.GetOrAdd(device.index < 0 ? 0 : device.index, CreateCuda);

    /// <summary>Whether the kernel takes these tensors: float32 on the CPU or on CUDA.</summary>
    public static bool Supports(Tensor value) =>
        value.dtype == ScalarType.Float32 && value.device.type is DeviceType.CPU or DeviceType.CUDA;

    /// <summary>The accelerator's name (e.g. "CPUAccelerator" or the GPU's).</summary>
    public string Name => accelerator.Name;

    /// <summary>Threads per warp (32 on NVIDIA GPUs; ILGPU's CPU accelerator emulates fewer).</summary>
    public int WarpSize => accelerator.WarpSize;

    /// <summary>output [N,Q,M·D] = the core of value [N,S,M,D], locations [N,Q,M,L,P,2], weights [N,Q,M,L,P] (all contiguous).</summary>
    public void Forward(DeformableSamplingKernel.Geometry g, Tensor value, Tensor loc, Tensor attn, Tensor output)
    {
        lock (gate)
        {
            var levels = Levels(g);
            forward(Config(g), View(value), View(loc), View(attn), levels.View, View(output), Shape(g));
            Finish();
        }
    }

    /// <summary>Gradients of <see cref="Forward"/>: gradValue accumulated into (zero it first), gradLoc and gradAttn written.</summary>
    public void Backward(DeformableSamplingKernel.Geometry g, Tensor value, Tensor loc, Tensor attn, Tensor gradOutput,
        Tensor gradValue, Tensor gradLoc, Tensor gradAttn)
    {
        lock (gate)
        {
            var levels = Levels(g);
            backward(Config(g), View(value), View(loc), View(attn), levels.View, View(gradOutput), View(gradValue), View(gradLoc), View(gradAttn), Shape(g));
            Finish();
        }
    }

    // CPU: the caller reads the result at once. CUDA: stream order with libtorch's kernels is enough.
    private void Finish()
    {
        if (accelerator is CPUAccelerator) accelerator.Synchronize();
    }

    private KernelConfig Config(DeformableSamplingKernel.Geometry g)
    {
        long items = (long)g.N * g.Q * g.M;
        return new KernelConfig((int)((items + WarpsPerGroup - 1) / WarpsPerGroup), WarpsPerGroup * accelerator.WarpSize);
    }

    private static DeformableSamplingGpuKernel.Shape Shape(DeformableSamplingKernel.Geometry g) => new(g.N, g.S, g.M, g.D, g.Q, g.L, g.P);

    // (H, W, start) per level, on the accelerator; kept per geometry, since a model calls with the same few shapes
    private MemoryBuffer1D<long, Stride1D.Dense> Levels(DeformableSamplingKernel.Geometry g)
    {
        long[] table = Enumerable.Range(0, g.L).SelectMany(l => new[] { g.H[l], g.W[l], g.Start[l] }).ToArray();
        string key = string.Join(',', table);
        if (!levelTables.TryGetValue(key, out var buffer)) levelTables[key] = buffer = accelerator.Allocate1D(table);
        return buffer;
    }

    // A contiguous float32 tensor's memory as an ILGPU view (its storage base plus its storage offset).
    private ArrayView<float> View(Tensor t)
    {
        if (!t.is_contiguous() || t.dtype != ScalarType.Float32)
            throw new ArgumentException($"the GPU sampling kernel takes contiguous float32 tensors, not {t.dtype} of shape [{string.Join(", ", t.shape)}].");
        using var storage = t.storage<float>();
        IntPtr pointer = storage.data_ptr() + (nint)(t.storage_offset() * sizeof(float));
        return new TensorMemoryBuffer(accelerator, pointer, t.numel(), sizeof(float)).View<float>();
    }

    private static GpuSampling CreateCuda(int device)
    {
        var context = Context.Create(builder => builder.Cuda());
        var cuda = context.CreateCudaAccelerator(device);
        BindToPrimaryContext(cuda, device);
        return new GpuSampling(cuda);
    }

    // ILGPU makes its own CUDA context, and memory libtorch allocated in the device's primary context cannot be read from
    // another context. So the accelerator is pointed at the primary context (retained, never released: it lives as long as
    // the process) before any kernel module is loaded, and ILGPU's own context is destroyed. ILGPU 1.5.3 exposes no
    // public way to adopt a context, hence the protected NativePtr setter; pinned to that version in Directory.Packages.props.
    private static void BindToPrimaryContext(CudaAccelerator cuda, int device)
    {
        Check(CuDevicePrimaryCtxRetain(out IntPtr primary, device), "cuDevicePrimaryCtxRetain");
        IntPtr own = cuda.NativePtr;
        var setter = typeof(Accelerator).GetProperty(nameof(Accelerator.NativePtr))!.GetSetMethod(nonPublic: true)
            ?? throw new InvalidOperationException("ILGPU's Accelerator.NativePtr has no setter: this ILGPU version cannot adopt libtorch's CUDA context.");
        setter.Invoke(cuda, [primary]);
        cuda.Bind();
        Check(CuCtxDestroy(own), "cuCtxDestroy");
        cuda.Bind();
    }

    private static void Check(int result, string call)
    {
        if (result != 0) throw new InvalidOperationException($"{call} failed with CUDA error {result}.");
    }

    [DllImport("libcuda.so.1", EntryPoint = "cuDevicePrimaryCtxRetain")]
    private static extern int CuDevicePrimaryCtxRetain(out IntPtr context, int device);

    [DllImport("libcuda.so.1", EntryPoint = "cuCtxDestroy_v2")]
    private static extern int CuCtxDestroy(IntPtr context);
}
