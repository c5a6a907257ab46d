using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>What one micro-batch contributes: the scalar loss to minimise (null when the batch holds no target, e.g. every
/// answer was cut off by the window: the trainer skips it and counts it) and the number of tokens (or examples) it covered,
/// for throughput.</summary>
public sealed record StepLoss(Tensor? Loss, long Tokens);
