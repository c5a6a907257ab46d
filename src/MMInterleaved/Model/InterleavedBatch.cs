using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// One batch of interleaved sequences: token ids [B,L] where each image is &lt;|beginofimage|&gt; followed by K
/// &lt;|image|&gt; placeholders, the attention mask [B,L] (1 = real token; right padding for training, left padding for
/// generation), and the images [N,3,S,S] in [0,1], matched to the image blocks in row-major order. Optional text-loss
/// rules: <paramref name="IgnoreNoImagePrefix"/> (caption-pair sources), per-row <paramref name="PromptOffsets"/>, and a
/// per-token <paramref name="TargetMask"/> [B,L] (0 = this token is never a target, e.g. a prompt inside a packed row).
/// </summary>
public sealed record InterleavedBatch(Tensor InputIds, Tensor AttentionMask, Tensor Images, bool IgnoreNoImagePrefix = false,
    long[]? PromptOffsets = null, Tensor? TargetMask = null)
{
    /// <summary>The batch on <paramref name="device"/> (itself when it is there already).</summary>
    public InterleavedBatch To(Device device) => InputIds.device_type == device.type && InputIds.device_index == device.index ? this
        : this with { InputIds = InputIds.to(device), AttentionMask = AttentionMask.to(device), Images = Images.to(device), TargetMask = TargetMask?.to(device) };
}
