using static TorchSharp.torch;

namespace MMInterleaved.Pipeline;

/// <summary>An image made during interleaved generation: where it sits in the result document
/// (<see cref="SegmentIndex"/>), the image written back (candidate 0, [3, S, S] in [0, 1] at the decoder's side, on the
/// CPU), every candidate and their seeds.</summary>
public sealed record GeneratedImage(int SegmentIndex, Tensor Image, IReadOnlyList<Tensor> Candidates, IReadOnlyList<long> Seeds);
