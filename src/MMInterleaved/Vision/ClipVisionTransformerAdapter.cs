using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// The reference's <c>CLIPVisionTransformerAdapter</c> (vit_adapter_hf.py), i.e. the module under
/// <c>vision_model.</c>: a HF-named CLIP ViT (embeddings, <c>pre_layrnorm</c>, <c>encoder.layers</c>; no
/// <c>post_layernorm</c> keys, the reference makes it an Identity) plus the ViT-Adapter (<c>adapter_level_embed</c>,
/// <c>adapter_spm</c>, <c>adapter_interactions</c>, <c>adapter_up</c>) that turns it into a 4-level feature pyramid
/// (reference-spec.md §2.1).
/// </summary>
public sealed class ClipVisionTransformerAdapter : nn.Module<Tensor, VisionEncoderOutput>
{
    [ComponentName(Name = "embeddings")] private readonly ClipVisionEmbeddings embeddings;
    [ComponentName(Name = "pre_layrnorm")] private readonly LayerNorm preLayrnorm;
    [ComponentName(Name = "encoder")] private readonly ClipEncoder encoder;
    [ComponentName(Name = "adapter_level_embed")] private readonly Parameter adapterLevelEmbed;
    [ComponentName(Name = "adapter_spm")] private readonly SpatialPriorModule adapterSpm;
    [ComponentName(Name = "adapter_interactions")] private readonly ModuleList<InteractionBlock> adapterInteractions;
    [ComponentName(Name = "adapter_up")] private readonly ConvTranspose2d adapterUp;

    /// <summary>The vision tower's configuration.</summary>
    public VisionEncoderConfig Config { get; }

    /// <summary>The adapter's configuration.</summary>
    public AdapterConfig Adapter { get; }

    /// <summary>Builds the tower and the adapter with the reference's initialisation (see <see cref="AdapterConfig.ZeroAdapterLinearBiases"/>).</summary>
    public ClipVisionTransformerAdapter(VisionEncoderConfig config, AdapterConfig adapter, string name = "vision_model") : base(name)
    {
        Config = config.Validated();
        Adapter = adapter.Validated(config);
        int w = config.HiddenSize;
        embeddings = new ClipVisionEmbeddings(config);
        preLayrnorm = nn.LayerNorm(w, eps: config.LayerNormEps);
        encoder = new ClipEncoder(config);
        adapterLevelEmbed = nn.Parameter(zeros(3, w));
        adapterSpm = new SpatialPriorModule(adapter.ConvInplanes, w, adapter.SpmNormEps, config.NumChannels);
        int blocks = adapter.InteractionIndexes.Length;
        adapterInteractions = nn.ModuleList(Enumerable.Range(0, blocks)
            .Select(b => new InteractionBlock(w, adapter, withExtraExtractors: adapter.ExtraExtractors && b == blocks - 1)).ToArray());
        adapterUp = nn.ConvTranspose2d(w, w, 2, stride: 2);
        RegisterComponents();

        if (adapter.ZeroAdapterLinearBiases)
        {
            // HF's CLIPPreTrainedModel._init_weights zeroes every nn.Linear bias of the modules it initialises; in the
            // reference that reaches all adapter Linears (MSDeformAttn's four, ConvFFN's two) after their own init.
            using var noGrad = no_grad();
            foreach (var (_, module) in adapterInteractions.named_modules())
                if (module is Linear { bias: not null } linear) linear.bias.zero_();
        }
    }

    /// <summary>The interaction blocks, in order.</summary>
    public IReadOnlyList<InteractionBlock> Interactions => [.. adapterInteractions];

    /// <summary>pixelValues [B, NumChannels, ImageSize, ImageSize], already CLIP-normalised.</summary>
    public override VisionEncoderOutput forward(Tensor pixelValues)
    {
        CheckInput(pixelValues);
        int g = Config.GridSide, w = Config.HiddenSize;
        long b = pixelValues.shape[0];

        Tensor hidden = preLayrnorm.forward(embeddings.forward(pixelValues)); // [B,1+G²,W]
        Tensor cls = hidden.narrow(1, 0, 1);
        Tensor x = hidden.narrow(1, 1, (long)g * g);

        int spmSize = Adapter.ResolvedSpmInputSize(Config);
        Tensor resized = F.interpolate(pixelValues, size: [spmSize, spmSize], mode: InterpolationMode.Bilinear, align_corners: false);
        var deform = AdapterDeformInputs.Build(g, x.dtype, x.device);

        var (c1, c2Map, c3Map, c4Map) = adapterSpm.forward(resized);
        Tensor Tokens(Tensor map, int level) => map.flatten(2).transpose(1, 2) + adapterLevelEmbed[level];
        Tensor c = cat([Tokens(c2Map, 0), Tokens(c3Map, 1), Tokens(c4Map, 2)], 1); // [B, 4G²+G²+G²/4, W]

        var stageMaps = new Tensor[adapterInteractions.Count];
        for (int i = 0; i < adapterInteractions.Count; i++)
        {
            int[] stage = Adapter.InteractionIndexes[i];
            (x, c, cls) = adapterInteractions[i].forward(x, c, cls, encoder, stage[0], stage[1], deform);
            stageMaps[i] = Map(x, g);
        }

        // Split the SPM tokens back into their maps.
        long n2 = 4L * g * g, n3 = (long)g * g, n4 = (long)g * g / 4;
        Tensor c2 = Map(c.narrow(1, 0, n2), 2 * g);
        Tensor c3 = Map(c.narrow(1, n2, n3), g);
        Tensor c4 = Map(c.narrow(1, n2 + n3, n4), g / 2);
        c1 = adapterUp.forward(c2) + c1;

        // x_k is the patch-token map after stage k; each is resampled to the pyramid level it feeds.
        c1 = c1 + Resize(stageMaps[0], 4);
        c2 = c2 + Resize(stageMaps[1], 2);
        c3 = c3 + stageMaps[2];
        c4 = c4 + Resize(stageMaps[3], 0.5);

        Tensor lastHidden = cat([cls, stageMaps[3].flatten(2).transpose(1, 2)], 1);
        return new VisionEncoderOutput(lastHidden, [c1, c2, c3, c4]);

        Tensor Map(Tensor tokens, int side) => tokens.transpose(1, 2).reshape(b, w, side, side);
    }

    private static Tensor Resize(Tensor map, double factor) =>
        F.interpolate(map, scale_factor: [factor, factor], mode: InterpolationMode.Bilinear, align_corners: false);

    private void CheckInput(Tensor pixelValues)
    {
        var s = pixelValues.shape;
        if (s.Length != 4 || s[1] != Config.NumChannels || s[2] != Config.ImageSize || s[3] != Config.ImageSize)
            throw new ArgumentException($"pixelValues must be [B, {Config.NumChannels}, {Config.ImageSize}, {Config.ImageSize}]; got [{string.Join(", ", s)}].");
        if (!pixelValues.is_floating_point())
            throw new ArgumentException($"pixelValues must be floating point (already CLIP-normalised); got {pixelValues.dtype}.");
    }
}
