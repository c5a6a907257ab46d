using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>The reference's <c>image_decoder.decoder</c>: <c>unet</c>, its sibling <c>mmfs_module</c> (MMFSNet) and the
/// frozen <c>vae</c> of a latent-space decoder.</summary>
public sealed class StableDiffusionMmfs : nn.Module
{
    [ComponentName(Name = "unet")] private readonly UNet2DConditionModel unet;
    [ComponentName(Name = "vae")] private readonly AutoencoderKL? vae;
    [ComponentName(Name = "mmfs_module")] private readonly MmfsNet? mmfsModule;

    /// <summary>The parts of <paramref name="config"/>; the VAE, when there is one, is frozen.</summary>
    public StableDiffusionMmfs(ImageDecoderConfig config, string name = "decoder") : base(name)
    {
        unet = new UNet2DConditionModel(config.UNet);
        if (config.Vae is not null)
        {
            vae = new AutoencoderKL(config.Vae);
            foreach (var p in vae.parameters()) p.requires_grad = false;
        }
        if (config.Mmfs is not null) mmfsModule = new MmfsNet(config.Mmfs, config.UNet, config.SampleSize);
        RegisterComponents();
    }

    /// <summary>The UNet.</summary>
    public UNet2DConditionModel UNet => unet;
    /// <summary>The VAE, or null in pixel space.</summary>
    public AutoencoderKL? Vae => vae;
    /// <summary>MMFSNet, or null without UNet-side MMFS.</summary>
    public MmfsNet? Mmfs => mmfsModule;
}
