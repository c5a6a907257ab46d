using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>What one micro-batch contributes: the scalar loss to minimise (null when the batch holds no target, e.g. every
/// answer was cut off by the window: the trainer skips it and counts it) and the number of tokens (or examples) it covered,
/// for throughput; and optionally the named terms of a joint loss (for example <c>loss_txt</c>, <c>loss_img</c>), which the
/// trainer averages over the step's micro-batches and logs beside the loss.</summary>
public sealed record StepLoss(Tensor? Loss, long Tokens, IReadOnlyDictionary<string, Tensor?>? Terms = null);
