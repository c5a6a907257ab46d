using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' VAE <c>Encoder</c>: conv_in, the down blocks, the mid block, conv_norm_out, SiLU, conv_out to
/// 2 × latent channels (mean ‖ log-variance).</summary>
public sealed class VaeEncoder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv_in")] private readonly Conv2d convIn;
    [ComponentName(Name = "down_blocks")] private readonly ModuleList<DownEncoderBlock2D> downBlocks;
    [ComponentName(Name = "mid_block")] private readonly UNetMidBlock2D midBlock;
    [ComponentName(Name = "conv_norm_out")] private readonly GroupNorm convNormOut;
    [ComponentName(Name = "conv_out")] private readonly Conv2d convOut;

    /// <summary>The encoder of <paramref name="config"/>.</summary>
    public VaeEncoder(AutoencoderKLConfig config, string name = "encoder") : base(name)
    {
        var c = config.BlockOutChannels;
        convIn = DiffusionLayers.Conv(config.InChannels, c[0], 3);
        downBlocks = new ModuleList<DownEncoderBlock2D>(Enumerable.Range(0, c.Count)
            .Select(i => new DownEncoderBlock2D(i == 0 ? c[0] : c[i - 1], c[i], config.LayersPerBlock, config.NormNumGroups, downsample: i < c.Count - 1)).ToArray());
        midBlock = new UNetMidBlock2D(c[^1], config.NormNumGroups);
        convNormOut = DiffusionLayers.GroupNorm(config.NormNumGroups, c[^1], AutoencoderKL.NormEps);
        convOut = DiffusionLayers.Conv(c[^1], 2 * config.LatentChannels, 3);
        RegisterComponents();
    }

    /// <summary>Image [B, C, H, W] in [−1, 1] → moments [B, 2·latent, H/f, W/f].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = convIn.forward(x);
        foreach (var block in downBlocks) h = block.forward(h);
        h = midBlock.forward(h);
        return convOut.forward(F.silu(convNormOut.forward(h))).MoveToOuterDisposeScope();
    }
}
