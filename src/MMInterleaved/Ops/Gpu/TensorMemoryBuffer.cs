using ILGPU;
using ILGPU.Runtime;

namespace MMInterleaved.Ops.Gpu;

/// <summary>
/// An ILGPU buffer over memory a TorchSharp tensor owns (zero-copy): host memory for ILGPU's CPU accelerator, device
/// memory for a CUDA accelerator bound to libtorch's context. It never allocates, copies or frees; the tensor must
/// outlive it. Copies through ILGPU are refused: the tensors are read and written by kernels only.
/// </summary>
public sealed class TensorMemoryBuffer : MemoryBuffer
{
    /// <summary>Wraps <paramref name="length"/> elements of <paramref name="elementSize"/> bytes at <paramref name="pointer"/>.</summary>
    public TensorMemoryBuffer(Accelerator accelerator, IntPtr pointer, long length, int elementSize)
        : base(accelerator, length, elementSize) => NativePtr = pointer;

    /// <summary>The whole buffer as a view of <typeparamref name="T"/>.</summary>
    public ArrayView<T> View<T>() where T : unmanaged => AsArrayView<T>(0, Length);

    /// <inheritdoc/>
    protected override void MemSet(AcceleratorStream stream, byte value, in ArrayView<byte> targetView) =>
        throw new NotSupportedException("a tensor's memory is set by libtorch, not through ILGPU.");

    /// <inheritdoc/>
    protected override void CopyTo(AcceleratorStream stream, in ArrayView<byte> sourceView, in ArrayView<byte> targetView) =>
        throw new NotSupportedException("a tensor's memory is copied by libtorch, not through ILGPU.");

    /// <inheritdoc/>
    protected override void CopyFrom(AcceleratorStream stream, in ArrayView<byte> sourceView, in ArrayView<byte> targetView) =>
        throw new NotSupportedException("a tensor's memory is copied by libtorch, not through ILGPU.");

    /// <inheritdoc/>
    protected override void DisposeAcceleratorObject(bool disposing) { } // libtorch owns the memory
}
