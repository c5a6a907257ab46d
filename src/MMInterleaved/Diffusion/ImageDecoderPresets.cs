using MMInterleaved.Model;
using MMInterleaved.Vision;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The image decoder of each model preset, fitted to its model: the context resampler reads the language model's width,
/// MMFSNet reads the visual tokenizer's multi-scale maps (their width and sides). <c>tiny</c> (32 px) and <c>small</c>
/// (64 px) denoise pixels without a VAE so they train on two cores; <c>paper</c> is SD 2.1-base's UNet and VAE in latent
/// space at 512 px, with the reference's resampler (77 × 1024, one layer) and MMFSNet (1024 wide, 16 heads, 8 points).
/// The pixel presets denoise with DDPM's pixel schedule (<see cref="SchedulerConfig.PixelSpace"/>), not SD's latent one, and
/// their resamplers start with the reference's cross-attention gain, not its init std
/// (<see cref="ResamplerConfig.WithGainOf"/>; a config file's <c>initializer_range: 0.02</c> restores the literal value).
/// </summary>
public static class ImageDecoderPresets
{
    /// <summary>The decoder of preset <paramref name="preset"/> for <paramref name="model"/>.</summary>
    public static ImageDecoderConfig For(string preset, ModelConfig model) => (preset.ToLowerInvariant() switch
    {
        "tiny" => Pixel(model, imageSize: 32, channels: [32, 64], heads: [2, 4], width: 64, queries: 8, resamplerHeads: 4, attnDim: 32, mmfsHeads: 2, points: 2),
        "small" => Pixel(model, imageSize: 64, channels: [32, 64, 128], heads: [2, 4, 4], width: 128, queries: 16, resamplerHeads: 4, attnDim: 64, mmfsHeads: 4, points: 4),
        "paper" => new ImageDecoderConfig
        {
            Resampler = ResamplerConfig.ImageDecoder with { EncoderHiddenSize = model.Decoder.HiddenSize },
            Mmfs = new MmfsNetConfig { InputChannel = model.Vision.HiddenSize, SpatialShapes = model.MultiScaleSides },
        },
        _ => throw new ArgumentException($"unknown preset '{preset}' for the image decoder: expected one of {string.Join(", ", ModelPresets.Names)}."),
    }).Validated();

    private static ImageDecoderConfig Pixel(ModelConfig model, int imageSize, int[] channels, int[] heads, int width, int queries, int resamplerHeads,
        int attnDim, int mmfsHeads, int points) => new()
    {
        // the reference's init std (0.02) at these widths would all but cut the caption off: match its gain instead
        Resampler = new ResamplerConfig(NumQueries: queries, HiddenSize: width, EncoderHiddenSize: model.Decoder.HiddenSize, NumLayers: 1,
            NumHeads: resamplerHeads, IntermediateSize: 2 * width, CrossAttentionFrequency: 1, QkNormalization: false, HiddenDropout: 0, AttentionDropout: 0)
            .WithGainOf(ResamplerConfig.ImageDecoder),
        UNet = new UNet2DConditionConfig
        {
            SampleSize = imageSize, InChannels = 3, OutChannels = 3, BlockOutChannels = channels, LayersPerBlock = 1, AttentionHeads = heads,
            CrossAttentionDim = width, NormNumGroups = 8,
            // cross-attention on every level but full resolution (where it would cost most and sees the least context)
            DownBlockTypes = [.. Enumerable.Range(0, channels.Length).Select(i => i == 0 ? UNet2DConditionConfig.PlainDown : UNet2DConditionConfig.CrossAttnDown)],
            UpBlockTypes = [.. Enumerable.Range(0, channels.Length).Select(i => i < channels.Length - 1 ? UNet2DConditionConfig.CrossAttnUp : UNet2DConditionConfig.PlainUp)],
        },
        Vae = null,
        Scheduler = SchedulerConfig.PixelSpace,
        // the frozen position table covers the largest skip (64 / factor = the image side), not the paper's 64×64
        Mmfs = new MmfsNetConfig
        {
            InputChannel = model.Vision.HiddenSize, AttnDim = attnDim, NumHeads = mmfsHeads, NumPoints = points, SpatialShapes = model.MultiScaleSides,
            DownsampleFactor = 64 / imageSize,
        },
        ImageSize = imageSize,
    };
}
