using static TorchSharp.torch;

namespace MMInterleaved.Mmfs;

/// <summary>
/// What <see cref="MultiModalFeatureSynchronizer.Inspect"/> returns: the module's output and, for the chosen
/// queries q, where each (head, image, level, point) samples and with which attention weight.
/// </summary>
/// <param name="Output">[N,Q,DOut], identical to forward.</param>
/// <param name="Locations">[N,q,M,I,Lv,P,2] sampling locations (x,y) in [0,1] image coordinates (may leave [0,1]).</param>
/// <param name="Weights">[N,q,M,I,Lv,P] attention weights after the joint softmax.</param>
/// <param name="NullWeight">[N,q,M] weight of the null slot (mass given to "nothing").</param>
public sealed record MmfsSamples(Tensor Output, Tensor? Locations, Tensor? Weights, Tensor? NullWeight);
