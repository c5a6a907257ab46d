using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>Visual tokens [N,K,D] for the decoder and the multi-scale maps [c1..c4], each [N,W,h,w] with the 2-D position
/// embedding added (what MMFS reads).</summary>
public sealed record VisualTokenizerOutput(Tensor VisualTokens, Tensor[] MultiScaleFeatures);
