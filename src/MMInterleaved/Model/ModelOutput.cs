using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>Next-token logits [B,L,V] and, when targets exist, the weighted text loss (scalar) and its number of targets.</summary>
public sealed record ModelOutput(Tensor Logits, Tensor? Loss, long TextTargets);
