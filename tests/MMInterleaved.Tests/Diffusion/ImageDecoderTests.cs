using MMInterleaved.Diffusion;
using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>The image decoder's training loss and sampling on a tiny pixel-space config.</summary>
[Collection(TorchCollection.Name)]
public sealed class ImageDecoderTests
{
    private static ImageDecoderConfig Tiny(double dropout = 0.1) => new()
    {
        Resampler = new ResamplerConfig(NumQueries: 4, HiddenSize: 32, EncoderHiddenSize: 24, NumLayers: 1, NumHeads: 2, IntermediateSize: 64,
            CrossAttentionFrequency: 1, QkNormalization: false, HiddenDropout: 0, AttentionDropout: 0),
        UNet = new UNet2DConditionConfig
        {
            SampleSize = 16, InChannels = 3, OutChannels = 3, BlockOutChannels = [16, 32], LayersPerBlock = 1, AttentionHeads = [2, 2], CrossAttentionDim = 32, NormNumGroups = 8,
            DownBlockTypes = [UNet2DConditionConfig.CrossAttnDown, UNet2DConditionConfig.PlainDown], UpBlockTypes = [UNet2DConditionConfig.PlainUp, UNet2DConditionConfig.CrossAttnUp],
        },
        Vae = null,
        Mmfs = new MmfsNetConfig { InputChannel = 8, AttnDim = 16, NumHeads = 2, NumPoints = 2, SpatialShapes = [8, 4] },
        ImageSize = 16,
        ConditionDropout = dropout,
    };

    private static ImageDecoder Build(double dropout = 0.1, int seed = 5)
    {
        manual_seed(seed);
        var decoder = new ImageDecoder(Tiny(dropout));
        decoder.to(float64);
        return decoder;
    }

    private static MmfsFeatures Features(long b, Generator g) =>
        new([randn([b, 2, 8, 8, 8], dtype: float64, generator: g), randn([b, 2, 8, 4, 4], dtype: float64, generator: g)], tensor(new long[] { 1, 1, 1, 0 }).view(b, 2));

    [Fact]
    public void Guidance_batches_uncond_then_cond_with_the_features_duplicated_and_scale_1_is_the_conditional_prediction()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var decoder = Build();
        var g = new Generator(3);
        var sample = randn([2, 3, 16, 16], dtype: float64, generator: g);
        var t = tensor(new long[] { 10, 700 });
        var condition = decoder.Condition(randn([2, 6, 24], dtype: float64, generator: g));
        var features = Features(2, g);
        var conditional = decoder.PredictNoise(sample, t, condition, features);
        Assert.Equal(conditional.data<double>().ToArray(), decoder.GuidedNoise(sample, t, condition, features, 1.0).data<double>().ToArray());
        var unconditional = decoder.PredictNoise(sample, t, decoder.NegativePromptEmbeds.expand(2, -1, -1), features);
        var expected = unconditional + (conditional - unconditional) * 3.5;
        Assert.True(SafetensorsFixture.RelativeError(decoder.GuidedNoise(sample, t, condition, features, 3.5), expected) <= 1e-12);
    }

    [Fact]
    public void Condition_dropout_trains_on_the_negative_embedding_and_the_loss_mask_removes_an_image()
    {
        using var scope = NewDisposeScope();
        using var always = Build(dropout: 1);
        using var never = Build(dropout: 0);
        var g = new Generator(1);
        var images = rand([2, 3, 16, 16], dtype: float64, generator: g);
        var context = randn([2, 6, 24], dtype: float64, generator: g);
        Tensor Loss(ImageDecoder d, Tensor condition, Tensor? mask = null) => d.Loss(images, condition, Features(2, new Generator(9)), mask, new Generator(7));
        using (no_grad())
        {
            var dropped = Loss(always, always.Condition(context)).item<float>();
            var negative = Loss(never, never.NegativePromptEmbeds.expand(2, -1, -1)).item<float>();
            Assert.Equal(negative, dropped);
            Assert.NotEqual(negative, Loss(never, never.Condition(context)).item<float>());
            Assert.Equal(0f, Loss(never, never.Condition(context), zeros(2, dtype: float64)).item<float>());
        }
        // an image masked out sends no gradient to its condition
        var condition = never.Condition(context).detach().requires_grad_(true);
        Loss(never, condition, tensor(new double[] { 1, 0 })).backward();
        Assert.True(condition.grad!.select(0, 0).abs().sum().item<double>() > 0);
        Assert.Equal(0.0, condition.grad!.select(0, 1).abs().sum().item<double>());
    }

    [Fact]
    public void Ddim_sampling_is_deterministic_per_seed_and_ddpm_runs_with_guidance()
    {
        using var scope = NewDisposeScope();
        using var decoder = Build();
        var g = new Generator(2);
        var condition = decoder.Condition(randn([2, 6, 24], dtype: float64, generator: g)).detach();
        var features = Features(2, g);
        var ddim = new ImageSamplingOptions { Scheduler = "ddim", Steps = 4, GuidanceScale = 3.0, Seed = 11 };
        var a = decoder.Generate(condition, features, ddim);
        Assert.Equal([2, 3, 16, 16], a.shape);
        Assert.Equal(a.data<double>().ToArray(), decoder.Generate(condition, features, ddim).data<double>().ToArray());
        Assert.NotEqual(a.data<double>().ToArray(), decoder.Generate(condition, features, ddim with { Seed = 12 }).data<double>().ToArray());
        var ddpm = decoder.Generate(condition, null, new ImageSamplingOptions { Steps = 3, GuidanceScale = 2, Seed = 1 });
        Assert.True(ddpm.min().item<double>() >= 0 && ddpm.max().item<double>() <= 1);
        Assert.Throws<ArgumentException>(() => decoder.Generate(condition, null, new ImageSamplingOptions { Scheduler = "pndm" }));
    }

    [Fact]
    public void Each_preset_has_a_decoder_fitted_to_its_model_and_the_paper_one_has_the_references_size()
    {
        foreach (var name in MMInterleaved.Model.ModelPresets.Names)
        {
            var model = MMInterleaved.Model.ModelPresets.Get(name);
            var config = ImageDecoderPresets.For(name, model);
            Assert.Equal(model.Decoder.HiddenSize, config.Resampler.EncoderHiddenSize);
            Assert.Equal(model.MultiScaleSides, config.Mmfs!.SpatialShapes);
            Assert.Equal(name == "paper", config.Vae is not null);
            // latent space keeps SD's schedule and the reference's init; pixel space gets DDPM's schedule and the reference's gain
            Assert.Equal(name == "paper" ? new SchedulerConfig() : SchedulerConfig.PixelSpace, config.Scheduler);
            Assert.Equal(name == "paper" ? 0.02 : ResamplerConfig.ImageDecoder.InitializerRange * Math.Pow(5120.0 * 1024 / (model.Decoder.HiddenSize * config.Resampler.HiddenSize), 0.25),
                config.Resampler.InitializerRange, 12);
        }
        var tiny = ParameterReportOf("tiny");
        Assert.Equal(1_001_251, tiny["UNet"]);   // diffusion-spec §2's tiny UNet (802,627) with attention moved off full resolution
        var paper = ParameterReportOf("paper");
        Assert.Equal(865_910_724, paper["UNet"]);
        Assert.Equal(23_168_000, paper["context resampler (Q-Former)"]);   // reference-state-dict: 23 M
        Assert.Equal(5120L * 5120 + 5120, paper["context_feat_proj"]);
        Assert.InRange((paper["total"] - paper["context_feat_proj"]) / 1e9, 1.07, 1.08);   // image_decoder ≈ 1.07 B
    }

    [Fact]
    public void The_pixel_schedule_hides_a_glyph_cells_colour_at_the_last_timestep_where_sds_schedule_leaks_it()
    {
        // a 16 px cell's mean holds √ᾱ·colour + noise of SD (1/16)·√(1 − ᾱ): at t = T − 1, SD's schedule leaves the colour
        // above that noise, DDPM's pixel schedule an order of magnitude below it
        double SignalOverCellNoise(SchedulerConfig config)
        {
            double a = new DDPMScheduler(config).AlphasCumprod[^1];
            return Math.Sqrt(a) / (Math.Sqrt(1 - a) / 16);
        }
        Assert.InRange(SignalOverCellNoise(new SchedulerConfig()), 1.0, 1.2);
        Assert.InRange(SignalOverCellNoise(SchedulerConfig.PixelSpace), 0.09, 0.11);
    }

    private static Dictionary<string, long> ParameterReportOf(string preset)
    {
        var model = MMInterleaved.Model.ModelPresets.Get(preset);
        return MMInterleaved.Model.ParameterReport.Count(ImageDecoderPresets.For(preset, model), model.Decoder.HiddenSize).ToDictionary(p => p.Name, p => p.Total);
    }

    [Fact]
    public void The_paper_decoder_has_the_references_names_and_mmfsnet_size()
    {
        var previous = get_default_device();
        set_default_device(new Device(DeviceType.META));
        try
        {
            using var decoder = new ImageDecoder(new ImageDecoderConfig());
            var named = decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            Assert.Equal([1, 77, 1024], named["neg_prompt_embeds"].shape);
            Assert.Contains("perceiver_resampler.queries", named.Keys);
            Assert.Contains("decoder.unet.conv_in.weight", named.Keys);
            Assert.Contains("decoder.vae.post_quant_conv.weight", named.Keys);
            Assert.Contains("decoder.mmfs_module.mmfs_down_blocks.11.conv.weight", named.Keys);
            Assert.DoesNotContain("decoder.mmfs_module.mmfs_down_blocks.12.conv.weight", named.Keys);
            Assert.Contains("decoder.mmfs_module.mmfs_mid_block.mmfs.sampling_offsets.weight", named.Keys);
            Assert.All(named.Where(kv => kv.Key.StartsWith("decoder.vae.", StringComparison.Ordinal)), kv => Assert.False(kv.Value.requires_grad));
            var mmfs = named.Where(kv => kv.Key.StartsWith("decoder.mmfs_module.", StringComparison.Ordinal)).ToList();
            double trainable = mmfs.Where(kv => kv.Value.requires_grad).Sum(kv => kv.Value.numel()) / 1e6, frozen = mmfs.Where(kv => !kv.Value.requires_grad).Sum(kv => kv.Value.numel()) / 1e6;
            // diffusion-spec §5: about 57.0 M trainable + 44.6 M frozen (pos_embed, ignore_token)
            Assert.InRange(trainable, 56.95, 57.05);
            Assert.InRange(frozen, 44.55, 44.65);
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
