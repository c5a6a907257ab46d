using static TorchSharp.torch;

namespace MMInterleaved.Data;

/// <summary>An image of a document: pixels [3,H,W] float32 in [0,1] on the CPU, produced on demand (rendered in memory or
/// decoded from <paramref name="SourcePath"/>), so datasets need not hold every image in memory.</summary>
public sealed record ImageSegment(Func<Tensor> Load, string? SourcePath = null) : DocumentSegment;
