using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' VAE <c>Decoder</c>: conv_in from the latent, the mid block, the up blocks (layers_per_block + 1
/// resnets each), conv_norm_out, SiLU, conv_out to image channels.</summary>
public sealed class VaeDecoder : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv_in")] private readonly Conv2d convIn;
    [ComponentName(Name = "mid_block")] private readonly UNetMidBlock2D midBlock;
    [ComponentName(Name = "up_blocks")] private readonly ModuleList<UpDecoderBlock2D> upBlocks;
    [ComponentName(Name = "conv_norm_out")] private readonly GroupNorm convNormOut;
    [ComponentName(Name = "conv_out")] private readonly Conv2d convOut;

    /// <summary>The decoder of <paramref name="config"/>.</summary>
    public VaeDecoder(AutoencoderKLConfig config, string name = "decoder") : base(name)
    {
        var reversed = config.BlockOutChannels.Reverse().ToArray();
        convIn = DiffusionLayers.Conv(config.LatentChannels, reversed[0], 3);
        midBlock = new UNetMidBlock2D(reversed[0], config.NormNumGroups);
        upBlocks = new ModuleList<UpDecoderBlock2D>(Enumerable.Range(0, reversed.Length)
            .Select(i => new UpDecoderBlock2D(i == 0 ? reversed[0] : reversed[i - 1], reversed[i], config.LayersPerBlock + 1, config.NormNumGroups, upsample: i < reversed.Length - 1)).ToArray());
        convNormOut = DiffusionLayers.GroupNorm(config.NormNumGroups, reversed[^1], AutoencoderKL.NormEps);
        convOut = DiffusionLayers.Conv(reversed[^1], config.OutChannels, 3);
        RegisterComponents();
    }

    /// <summary>Latent [B, latent, h, w] (unscaled) → image [B, C, f·h, f·w] in about [−1, 1]; <paramref name="midTap"/>
    /// hears the mid-block output.</summary>
    public Tensor forward(Tensor z, Action<Tensor>? midTap)
    {
        using var scope = NewDisposeScope();
        var h = midBlock.forward(convIn.forward(z));
        midTap?.Invoke(h);
        foreach (var block in upBlocks) h = block.forward(h);
        return convOut.forward(F.silu(convNormOut.forward(h))).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor z) => forward(z, null);
}
