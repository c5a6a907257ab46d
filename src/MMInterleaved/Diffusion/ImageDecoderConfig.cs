using System.Text.Json.Serialization;
using MMInterleaved.Vision;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The image decoder (the reference's <c>decoder_image.py</c>): a Q-Former turns the language model's context into the
/// UNet's <c>encoder_hidden_states</c>; the UNet, with MMFSNet on its skips, denoises the next image, in latent space
/// through a VAE (the paper's SD 2.1-base) or directly on pixels (<see cref="Vae"/> null: the small presets).
/// </summary>
public sealed record ImageDecoderConfig
{
    /// <summary>The context resampler (the reference's: 77 queries × 1024 over the 5120-wide LLM states, one layer).</summary>
    public ResamplerConfig Resampler { get; init; } = ResamplerConfig.ImageDecoder;
    /// <summary>The UNet (SD 2.1-base by default); its cross_attention_dim must equal the resampler width.</summary>
    public UNet2DConditionConfig UNet { get; init; } = new();
    /// <summary>The VAE of a latent-space decoder, or null to denoise pixels.</summary>
    public AutoencoderKLConfig? Vae { get; init; } = new();
    /// <summary>MMFSNet on the UNet's skips, or null for a plain UNet (an ablation).</summary>
    public MmfsNetConfig? Mmfs { get; init; } = new();
    /// <summary>The noise schedule (SD 2.1-base's, read as a DDPM scheduler as the reference does).</summary>
    public SchedulerConfig Scheduler { get; init; } = new();
    /// <summary>Side of the images the decoder generates (512 in the paper).</summary>
    public int ImageSize { get; init; } = 512;
    /// <summary>Probability per image of training on the negative (unconditional) embedding instead of the condition.</summary>
    public double ConditionDropout { get; init; } = 0.1;
    /// <summary>λ of the joint loss L_txt + λ·L_img (the reference's <c>loss_img_weight</c>).</summary>
    public double LossWeight { get; init; } = 10;
    /// <summary>The earlier images MMFSNet reads: the previous one (reference) or all of the segment's.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<DecoderMmfsImages>))]
    public DecoderMmfsImages MmfsImages { get; init; } = DecoderMmfsImages.Previous;

    /// <summary>The UNet's condition: the Q-Former's queries (reference) or the context tokens themselves (a control).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ConditionSource>))]
    public ConditionSource ConditionSource { get; init; } = ConditionSource.Resampler;

    /// <summary>Side of the sample the UNet denoises (the latent side, or the image side in pixel space).</summary>
    [JsonIgnore] public int SampleSize => Vae is null ? ImageSize : ImageSize / Vae.DownsamplingFactor;

    /// <summary>Checks the parts and their agreement; throws an ArgumentException naming the field.</summary>
    public ImageDecoderConfig Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("ImageDecoderConfig: " + message); }
        Resampler.Validated();
        UNet.Validated();
        Vae?.Validated();
        Mmfs?.Validated();
        Scheduler.Validated();
        Require(UNet.CrossAttentionDim == Resampler.HiddenSize, $"UNet.CrossAttentionDim ({UNet.CrossAttentionDim}) must equal Resampler.HiddenSize ({Resampler.HiddenSize}).");
        int channels = Vae?.LatentChannels ?? 3;
        Require(UNet.InChannels == channels && UNet.OutChannels == channels, $"the UNet must take and give {channels} channels ({(Vae is null ? "RGB pixels" : "the VAE's latents")}); it has {UNet.InChannels} → {UNet.OutChannels}.");
        Require(ImageSize > 0 && (Vae is null || ImageSize % Vae.DownsamplingFactor == 0), $"ImageSize ({ImageSize}) must be a positive multiple of the VAE's down-sampling factor.");
        Require(ConditionDropout is >= 0 and <= 1, $"ConditionDropout is {ConditionDropout}; it must be in [0, 1].");
        Require(ConditionSource == ConditionSource.Resampler || Resampler.EncoderHiddenSize == UNet.CrossAttentionDim,
            $"ConditionSource Context feeds the context tokens (width Resampler.EncoderHiddenSize {Resampler.EncoderHiddenSize}) to the UNet, whose CrossAttentionDim is {UNet.CrossAttentionDim}; they must be equal.");
        Require(LossWeight >= 0, $"LossWeight is {LossWeight}; it must be non-negative.");
        return this;
    }
}
