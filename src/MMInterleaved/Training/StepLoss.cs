using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>What one micro-batch contributes: the scalar loss to minimise and the number of tokens (or examples) it covered,
/// for throughput.</summary>
public sealed record StepLoss(Tensor Loss, long Tokens);
