using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>AutoencoderKL</c> (v0.20.0) with its parameter names: <c>encoder</c> → <c>quant_conv</c> gives the
/// posterior; <c>post_quant_conv</c> → <c>decoder</c> gives the image. The scaling factor is the caller's (pipelines
/// multiply latents by it after encoding). Checkpoints with the legacy attention names (<c>query</c>, <c>key</c>,
/// <c>value</c>, <c>proj_attn</c>, as the SD 2.x hub files of 2022 have them) load too.
/// </summary>
public sealed class AutoencoderKL : nn.Module
{
    /// <summary>Epsilon of every GroupNorm of the VAE.</summary>
    public const double NormEps = 1e-6;

    [ComponentName(Name = "encoder")] private readonly VaeEncoder encoder;
    [ComponentName(Name = "decoder")] private readonly VaeDecoder decoder;
    [ComponentName(Name = "quant_conv")] private readonly Conv2d quantConv;
    [ComponentName(Name = "post_quant_conv")] private readonly Conv2d postQuantConv;

    /// <summary>Builds the VAE of <paramref name="config"/>.</summary>
    public AutoencoderKL(AutoencoderKLConfig? config = null, string name = "vae") : base(name)
    {
        Config = (config ?? new AutoencoderKLConfig()).Validated();
        encoder = new VaeEncoder(Config);
        decoder = new VaeDecoder(Config);
        quantConv = DiffusionLayers.Conv(2 * Config.LatentChannels, 2 * Config.LatentChannels, 1);
        postQuantConv = DiffusionLayers.Conv(Config.LatentChannels, Config.LatentChannels, 1);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public AutoencoderKLConfig Config { get; }

    /// <summary>Opens a diffusers VAE folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>), strictly,
    /// accepting the legacy attention key names.</summary>
    public static AutoencoderKL FromPretrained(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such VAE folder.");
        var vae = new AutoencoderKL(AutoencoderKLConfig.Load(Path.Combine(folder, UNet2DConditionModel.ConfigFile)));
        Runtime.StateDictFile.Load(vae, Path.Combine(folder, UNet2DConditionModel.WeightsFile), nameof(AutoencoderKL), rename: ModernKey);
        return vae;
    }

    /// <summary>A legacy attention key under its modern name (others unchanged).</summary>
    public static string ModernKey(string key) => key
        .Replace(".attentions.0.query.", ".attentions.0.to_q.", StringComparison.Ordinal)
        .Replace(".attentions.0.key.", ".attentions.0.to_k.", StringComparison.Ordinal)
        .Replace(".attentions.0.value.", ".attentions.0.to_v.", StringComparison.Ordinal)
        .Replace(".attentions.0.proj_attn.", ".attentions.0.to_out.0.", StringComparison.Ordinal);

    /// <summary>The posterior of images [B, C, H, W] in [−1, 1] (H and W multiples of the down-sampling factor).</summary>
    public DiagonalGaussianDistribution Encode(Tensor images, Action<Tensor>? encoderTap = null)
    {
        var moments = encoder.forward(images);
        encoderTap?.Invoke(moments);
        return new DiagonalGaussianDistribution(quantConv.forward(moments));
    }

    /// <summary>Images [B, C, f·h, f·w] (about [−1, 1]) of unscaled latents [B, latent, h, w].</summary>
    public Tensor Decode(Tensor latents, Action<Tensor>? midTap = null) => decoder.forward(postQuantConv.forward(latents), midTap);
}
