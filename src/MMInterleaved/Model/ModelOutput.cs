using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>Next-token logits [B,L,V]; the loss to train (the weighted text loss, plus λ times the image loss when the model
/// has an image decoder), null when there is nothing to learn from; the number of text targets; the image loss alone (before
/// λ) and the text loss alone (after <c>loss_txt_weight</c>).</summary>
public sealed record ModelOutput(Tensor Logits, Tensor? Loss, long TextTargets, Tensor? ImageLoss = null, Tensor? TextLoss = null);
