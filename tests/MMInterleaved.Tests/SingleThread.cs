using TorchSharp;

namespace MMInterleaved.Tests;

/// <summary>
/// Runs a block with one libtorch intra-op thread. Byte-exact comparisons between a resumed and an uninterrupted run need
/// it: measured on this 2-core machine, with two threads libtorch's parallel kernels round the step after a resume
/// differently in the seventh digit (the weights are restored exactly; the ablations train with one thread each).
/// </summary>
public sealed class SingleThread : IDisposable
{
    private readonly int previous = torch.get_num_threads();

    public SingleThread() => torch.set_num_threads(1);

    public void Dispose() => torch.set_num_threads(previous);
}
