using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The reference's <c>MMFSNet</c>: an <see cref="MmfsBlock"/> on each of the UNet's skip features
/// (<c>mmfs_down_blocks.i</c>) and on its mid-block output (<c>mmfs_mid_block</c>); each result is added to its input.
/// Plugged into <see cref="UNet2DConditionModel.Denoise"/> as its skip hook, after the mid block, so the down path never
/// sees it and a new MMFSNet (zero convolutions) leaves the UNet's output unchanged.
/// </summary>
public sealed class MmfsNet : nn.Module
{
    [ComponentName(Name = "mmfs_down_blocks")] private readonly ModuleList<MmfsBlock> mmfsDownBlocks;
    [ComponentName(Name = "mmfs_mid_block")] private readonly MmfsBlock mmfsMidBlock;

    /// <summary>Blocks for the skips of <paramref name="unet"/> (their channels; with <see cref="MmfsNetBase.SkipSide"/>,
    /// their sides at <paramref name="sampleSize"/>, default the UNet's <c>sample_size</c>).</summary>
    public MmfsNet(MmfsNetConfig config, UNet2DConditionConfig unet, int? sampleSize = null, string name = "mmfs_module") : base(name)
    {
        Config = config.Validated();
        unet.Validated();
        var skips = SkipGeometry(unet, sampleSize ?? unet.SampleSize);
        int Base(int index, int side) => Config.BaseSpatialShape == MmfsNetBase.SkipSide ? side
            : Config.SpatialShapes[Math.Min(index / 3, Config.SpatialShapes.Count - 1)] / Config.DownsampleFactor;
        mmfsDownBlocks = new ModuleList<MmfsBlock>(skips.Select((s, i) => new MmfsBlock(Config, s.Channels, Base(i, s.Side))).ToArray());
        int midSide = skips[^1].Side;
        mmfsMidBlock = new MmfsBlock(Config, unet.BlockOutChannels[^1],
            Config.BaseSpatialShape == MmfsNetBase.SkipSide ? midSide : Config.SpatialShapes[^1] / Config.DownsampleFactor);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public MmfsNetConfig Config { get; }

    /// <summary>Channels and side of every skip feature of a UNet on a square sample of <paramref name="sampleSize"/>:
    /// conv_in's output, then per level its resnet (attention) outputs and its down-sampler's.</summary>
    public static IReadOnlyList<(int Channels, int Side)> SkipGeometry(UNet2DConditionConfig unet, int sampleSize)
    {
        var skips = new List<(int, int)> { (unet.BlockOutChannels[0], sampleSize) };
        int side = sampleSize;
        for (int level = 0; level < unet.BlockOutChannels.Count; level++)
        {
            for (int j = 0; j < unet.LayersPerBlock; j++) skips.Add((unet.BlockOutChannels[level], side));
            if (level < unet.BlockOutChannels.Count - 1)
            {
                side = (side + 1) / 2;   // a 3×3 stride-2 convolution with padding 1
                skips.Add((unet.BlockOutChannels[level], side));
            }
        }
        return skips;
    }

    /// <summary>The block on skip <paramref name="index"/>, or the mid block for −1.</summary>
    public MmfsBlock Block(int index) => index < 0 ? mmfsMidBlock : mmfsDownBlocks[index];

    /// <summary>
    /// A hook for <see cref="UNet2DConditionModel.Denoise"/> reading the image features <paramref name="features"/>
    /// (one tensor per level, [B, I, InputChannel, s, s], the level sides of the config) with <paramref name="mask"/>
    /// [B, I] (1 = the image is there).
    /// </summary>
    public UNetSkipHook Hook(IReadOnlyList<Tensor> features, Tensor mask)
    {
        if (features.Count != Config.NumLevels) throw new ArgumentException($"MMFSNet reads {Config.NumLevels} feature levels; got {features.Count}.");
        for (int l = 0; l < features.Count; l++)
            if (features[l].dim() != 5 || features[l].shape[2] != Config.InputChannel || features[l].shape[3] != Config.SpatialShapes[l] || features[l].shape[4] != Config.SpatialShapes[l])
                throw new ArgumentException($"MMFSNet feature level {l} is [{string.Join(", ", features[l].shape)}]; expected [B, I, {Config.InputChannel}, {Config.SpatialShapes[l]}, {Config.SpatialShapes[l]}].");
        long images = features[0].shape[1];
        // [B, I, S, C]: per image, its levels flattened row-major and concatenated
        var flat = cat(features.Select(f => f.flatten(3).transpose(2, 3)).ToArray(), 2);
        var levelShapes = Config.SpatialShapes.Select(s => ((long)s, (long)s)).ToArray();
        var shapes = Enumerable.Repeat(levelShapes, (int)images).SelectMany(x => x).ToArray();
        var starts = Ops.MultiScaleDeformableAttention.StartsOf(shapes);
        return (mid, skips) =>
        {
            if (skips.Count != mmfsDownBlocks.Count) throw new ArgumentException($"MMFSNet has {mmfsDownBlocks.Count} skip blocks; the UNet gave {skips.Count} skips.");
            var hooked = skips.Select((s, i) => s + mmfsDownBlocks[i].forward(s, flat, shapes, starts, mask)).ToList();
            return (mid + mmfsMidBlock.forward(mid, flat, shapes, starts, mask), hooked);
        };
    }
}
