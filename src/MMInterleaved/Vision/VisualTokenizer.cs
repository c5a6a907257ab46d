using MMInterleaved.Model;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The image tokenizer (<c>visual_tokenizer</c>, reference-spec §2): CLIP normalisation, the ViT with its ViT-Adapter, a fixed
/// 2-D sin-cos position embedding added to each multi-scale map (built for the patch grid, bicubically resized), the
/// Perceiver resampler over LN(pos_proj(h)) + pos (then <c>post_ln</c>, which despite its name acts on the resampler's
/// input), and the projection of its queries to the decoder width (init N(0, 1e-3)). Images in, visual tokens and
/// multi-scale maps out.
/// </summary>
public sealed class VisualTokenizer : nn.Module
{
    [ComponentName(Name = "encoder")] private readonly ClipVisionAdapterModel encoder;
    [ComponentName(Name = "pos_embed")] private readonly Parameter posEmbed;
    [ComponentName(Name = "clip_mean")] private readonly Tensor clipMean;
    [ComponentName(Name = "clip_std")] private readonly Tensor clipStd;
    [ComponentName(Name = "pos_proj")] private readonly Linear posProj;
    [ComponentName(Name = "pos_ln")] private readonly LayerNorm posLn;
    [ComponentName(Name = "post_ln")] private readonly LayerNorm postLn;
    [ComponentName(Name = "perceiver_resampler")] private readonly PerceiverResampler? perceiverResampler;
    [ComponentName(Name = "learned_queries")] private readonly Parameter? learnedQueries;
    [ComponentName(Name = "proj")] private readonly Linear proj;
    private readonly ModelConfig config;

    /// <summary>Builds the tokenizer of a model config.</summary>
    public VisualTokenizer(ModelConfig config, string name = "visual_tokenizer") : base(name)
    {
        this.config = config;
        int width = config.Vision.HiddenSize;
        encoder = new ClipVisionAdapterModel(config.Vision, config.Adapter);
        posEmbed = nn.Parameter(SinCosPositionEmbedding.Build2D(width, config.GridSide, clsToken: true), requires_grad: false);
        clipMean = tensor(ClipMean).view(1, 3, 1, 1);
        clipStd = tensor(ClipStd).view(1, 3, 1, 1);
        posProj = nn.Linear(width, width);
        posLn = nn.LayerNorm(width, 1e-6);
        postLn = nn.LayerNorm(width, 1e-6);
        if (config.UseResampler) perceiverResampler = new PerceiverResampler(config.Resampler);
        else if (!config.UsePatchTokens) learnedQueries = nn.Parameter(randn(1, config.NumImageTokens, config.Resampler.HiddenSize) * config.Resampler.QueryInitStd);
        proj = nn.Linear(config.UsePatchTokens ? width : config.Resampler.HiddenSize, config.Decoder.HiddenSize);
        RegisterComponents();
        using var noGrad = no_grad();
        proj.weight!.normal_(0, 1e-3);
        proj.bias!.zero_();
    }

    /// <summary>The vision encoder (ViT + adapter).</summary>
    public ClipVisionAdapterModel Encoder => encoder;

    /// <summary>CLIP's pixel normalisation of images in [0,1] (what the encoder expects).</summary>
    public static Tensor Normalize(Tensor images) =>
        Normalize(images, tensor(ClipMean).view(1, 3, 1, 1), tensor(ClipStd).view(1, 3, 1, 1));

    // CLIP's per-channel pixel statistics (the reference's clip_mean / clip_std buffers)
    private static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    private static Tensor Normalize(Tensor images, Tensor mean, Tensor std) =>
        (images - mean.to(images.dtype).to(images.device)) / std.to(images.dtype).to(images.device);

    /// <summary>images [N,3,S,S] in [0,1] with S = Vision.ImageSize.</summary>
    public VisualTokenizerOutput forward(Tensor images)
    {
        int size = config.Vision.ImageSize;
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != size || images.shape[3] != size)
            throw new ArgumentException($"images must be [N,3,{size},{size}] in [0,1] (Vision.ImageSize {size}); got [{string.Join(",", images.shape)}].");
        var normalised = Normalize(images, clipMean, clipStd);
        VisionEncoderOutput output;
        // A fully frozen encoder needs no autograd graph: its backward pass would only be thrown away.
        using (encoder.parameters().Any(p => p.requires_grad) ? null : no_grad())
            output = encoder.forward(normalised);
        var grid = posEmbed.narrow(0, 1, posEmbed.shape[0] - 1);
        var maps = output.MultiScaleFeatures.Select(map =>
        {
            int side = (int)map.shape[2];
            var pos = SinCosPositionEmbedding.ResizeGrid(grid, side).to(map.dtype).transpose(0, 1).reshape(1, -1, side, side);
            return map + pos;
        }).ToArray();

        Tensor queries;
        if (learnedQueries is not null)
        {
            queries = learnedQueries.expand(images.shape[0], -1, -1);
        }
        else
        {
            var inputs = postLn.forward(posLn.forward(posProj.forward(output.LastHiddenState)) + posEmbed.to(output.LastHiddenState.dtype));
            queries = perceiverResampler is not null ? perceiverResampler.forward(inputs) : inputs.narrow(1, 1, inputs.shape[1] - 1);
        }
        return new VisualTokenizerOutput(proj.forward(queries), maps);
    }
}
