using TorchSharp;
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
    private InterleavedBatch? hostCopy;

    /// <summary>Which batch of its stream this is (0, 1, …; −1 when it came from no stream): restored with the stream's
    /// position, so a resumed run numbers its batches as the uninterrupted one did.</summary>
    public long Ordinal { get; init; } = -1;

    /// <summary>Seed of the image loss's random draws (timesteps, noise, condition dropout) for this batch, or null to draw
    /// from libtorch's global generator. Training sets it from the run seed and <see cref="Ordinal"/>, so a run's draws do
    /// not depend on what else used the global generator (runs in parallel threads share it).</summary>
    public ulong? NoiseSeed { get; init; }

    /// <summary>The batch on <paramref name="device"/> (itself when it is there already). A batch moved off the CPU keeps
    /// its CPU original, so the model reads the batch's geometry (where images are, which tokens are targets) from host
    /// memory instead of copying ids back from the device in every forward pass.</summary>
    public InterleavedBatch To(Device device)
    {
        if (InputIds.device_type == device.type && InputIds.device_index == device.index) return this;
        var host = OnHostIfKnown();
        return this with
        {
            InputIds = InputIds.to(device), AttentionMask = AttentionMask.to(device), Images = Images.to(device), TargetMask = TargetMask?.to(device),
            hostCopy = device.type == DeviceType.CPU ? null : host,
        };
    }

    /// <summary>The token ids, mask and target mask on the CPU: the batch itself when it lives there, the CPU batch it was
    /// moved from, or (for a batch made on a device) a copy, which waits for the device.</summary>
    public InterleavedBatch OnHost() => OnHostIfKnown() ?? (this with
    {
        InputIds = InputIds.cpu(), AttentionMask = AttentionMask.cpu(), Images = Images, TargetMask = TargetMask?.cpu(), hostCopy = null,
    });

    private InterleavedBatch? OnHostIfKnown() => InputIds.device_type == DeviceType.CPU ? this : hostCopy;
}
