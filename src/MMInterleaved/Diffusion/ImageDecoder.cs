using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The reference's <c>image_decoder</c>: <c>perceiver_resampler</c> (a Q-Former over the language model's context of an
/// image) gives the UNet's <c>encoder_hidden_states</c>; <c>neg_prompt_embeds</c> is the trainable unconditional
/// embedding of classifier-free guidance; <c>decoder</c> holds the UNet, MMFSNet and the VAE. Training is the diffusion
/// loss with condition dropout; sampling runs DDPM or DDIM with [uncond; cond] batches.
/// </summary>
public sealed class ImageDecoder : nn.Module
{
    [ComponentName(Name = "perceiver_resampler")] private readonly PerceiverResampler perceiverResampler;
    [ComponentName(Name = "neg_prompt_embeds")] private readonly Parameter negPromptEmbeds;
    [ComponentName(Name = "decoder")] private readonly StableDiffusionMmfs decoder;

    /// <summary>Builds the decoder; <c>neg_prompt_embeds</c> starts N(0, 0.02) (the reference then overwrites it with
    /// SD's text-encoder output for "", which a trained checkpoint carries).</summary>
    public ImageDecoder(ImageDecoderConfig config, string name = "image_decoder") : base(name)
    {
        Config = config.Validated();
        perceiverResampler = new PerceiverResampler(Config.Resampler);
        negPromptEmbeds = nn.Parameter(zeros(1, Config.Resampler.NumQueries, Config.Resampler.HiddenSize));
        decoder = new StableDiffusionMmfs(Config);
        RegisterComponents();
        using var noGrad = no_grad();
        negPromptEmbeds.normal_(0, 0.02);
        TrainingScheduler = new DDPMScheduler(Config.Scheduler);
    }

    /// <summary>The configuration.</summary>
    public ImageDecoderConfig Config { get; }
    /// <summary>The UNet, MMFSNet and VAE.</summary>
    public StableDiffusionMmfs Decoder => decoder;
    /// <summary>The noise schedule of training (DDPM over all T steps).</summary>
    public DDPMScheduler TrainingScheduler { get; }
    /// <summary>The unconditional embedding [1, Q, H].</summary>
    public Parameter NegativePromptEmbeds => negPromptEmbeds;

    /// <summary>The UNet condition [B, Q, H] from per-image contexts [B, L, E] (mask [B, L], 1 = a real token).</summary>
    public Tensor Condition(Tensor context, Tensor? contextMask = null)
    {
        if (Config.ConditionSource == ConditionSource.Resampler) return perceiverResampler.forward(context, contextMask);
        // the control: the (masked) context tokens, cut or zero-padded to Q so the negative embedding still fits
        long q = Config.Resampler.NumQueries, l = context.shape[1];
        var kept = contextMask is null ? context : context * contextMask.unsqueeze(-1).to(context.dtype);
        return l >= q ? kept.narrow(1, 0, q) : F.pad(kept, [0, 0, 0, q - l]);
    }

    /// <summary>What the UNet denoises for images [B, 3, S, S] in [0, 1]: 2x − 1 in pixel space, or the VAE posterior's
    /// sample × scaling factor (no gradient; the VAE is frozen).</summary>
    public Tensor ToSample(Tensor images, Generator? generator = null)
    {
        var signed = images * 2 - 1;
        if (decoder.Vae is null) return signed;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return (decoder.Vae.Encode(signed).Sample(generator) * Config.Vae!.ScalingFactor).MoveToOuterDisposeScope();
    }

    /// <summary>Images in [0, 1] from denoised samples (decoding latents ÷ scaling factor through the VAE).</summary>
    public Tensor ToImages(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var signed = decoder.Vae is null ? sample : decoder.Vae.Decode(sample / Config.Vae!.ScalingFactor);
        return (signed / 2 + 0.5).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>The UNet's prediction for noisy samples at timesteps [B], with MMFSNet reading <paramref name="mmfs"/> (ignored
    /// without MMFSNet; without features, MMFSNet is skipped).</summary>
    public Tensor PredictNoise(Tensor sample, Tensor timesteps, Tensor condition, MmfsFeatures? mmfs)
    {
        var hook = decoder.Mmfs is not null && mmfs is not null ? decoder.Mmfs.Hook(mmfs.Levels, mmfs.Mask) : null;
        return decoder.UNet.Denoise(sample, decoder.UNet.TimeProjection(timesteps, sample.shape[0]), condition, hook: hook);
    }

    /// <summary>
    /// The guided prediction: with <paramref name="guidanceScale"/> &gt; 1 one UNet call on [uncond; cond] (latents,
    /// MMFS features and mask duplicated), ε = ε_u + s·(ε_c − ε_u); otherwise the conditional prediction alone.
    /// </summary>
    public Tensor GuidedNoise(Tensor sample, Tensor timesteps, Tensor condition, MmfsFeatures? mmfs, double guidanceScale)
    {
        if (guidanceScale <= 1) return PredictNoise(sample, timesteps, condition, mmfs);
        using var scope = NewDisposeScope();
        long b = sample.shape[0];
        var negative = negPromptEmbeds.expand(b, -1, -1).to(condition.dtype);
        var both = PredictNoise(cat([sample, sample], 0), cat([timesteps, timesteps], 0), cat([negative, condition], 0), mmfs?.Duplicated());
        var halves = both.chunk(2, 0);
        return (halves[0] + (halves[1] - halves[0]) * guidanceScale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The diffusion loss of images [B, 3, S, S] in [0, 1] given their conditions [B, Q, H]: t uniform per image, ε ~ N(0, I),
    /// each condition replaced by <c>neg_prompt_embeds</c> with probability ConditionDropout; MSE to ε (or v) in float32,
    /// times <paramref name="lossMask"/> [B] (0: an image that does not count, e.g. one whose context is only &lt;s&gt;&lt;BoI&gt;),
    /// averaged over all elements as the reference does.
    /// </summary>
    public Tensor Loss(Tensor images, Tensor condition, MmfsFeatures? mmfs = null, Tensor? lossMask = null, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        var x0 = ToSample(images, generator);
        var noise = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
        var timesteps = randint(0, Config.Scheduler.NumTrainTimesteps, [b], dtype: int64, device: x0.device, generator: generator);
        var noisy = TrainingScheduler.AddNoise(x0, noise, timesteps);
        var dropped = rand([b], device: condition.device, generator: generator).lt(Config.ConditionDropout).view(-1, 1, 1);
        var conditions = where(dropped, negPromptEmbeds.to(condition.dtype).expand(b, -1, -1), condition);
        var prediction = PredictNoise(noisy, timesteps, conditions, mmfs);
        var target = Config.Scheduler.PredictionType switch
        {
            "epsilon" => noise,
            "v_prediction" => TrainingScheduler.Velocity(x0, noise, timesteps),
            _ => x0,
        };
        var loss = F.mse_loss(prediction.to(float32), target.to(float32), reduction: nn.Reduction.None);
        if (lossMask is not null) loss = loss * lossMask.to(float32).view(-1, 1, 1, 1);
        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Generates images [B, 3, S, S] in [0, 1] for conditions [B, Q, H]: x_T ~ N(0, I), then the scheduler's steps on the
    /// guided prediction, then decoding. Row r draws its starting noise (and DDPM's step noise) from its own generator,
    /// seeded <paramref name="seeds"/>[r] (default <see cref="ImageSamplingOptions.Seed"/> + r), so an image does not depend
    /// on its batch-mates. Runs without gradients, one dispose scope per step.
    /// </summary>
    public Tensor Generate(Tensor condition, MmfsFeatures? mmfs, ImageSamplingOptions options, IReadOnlyList<long>? seeds = null)
    {
        options.Validated();
        long b = condition.shape[0];
        if (seeds is not null && seeds.Count != b) throw new ArgumentException($"Generate: {seeds.Count} seeds for {b} conditions; give one per row.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        NoiseScheduler scheduler = options.Scheduler == "ddim" ? new DDIMScheduler(Config.Scheduler) { Eta = options.Eta } : new DDPMScheduler(Config.Scheduler);
        scheduler.SetTimesteps(options.Steps);
        var generators = Enumerable.Range(0, (int)b).Select(r => new Generator((ulong)(seeds?[r] ?? options.Seed + r), condition.device)).ToArray();
        long[] shape = [1, Config.UNet.InChannels, Config.SampleSize, Config.SampleSize];
        Tensor Draw() => cat(generators.Select(g => randn(shape, dtype: condition.dtype, device: condition.device, generator: g)).ToArray(), 0);
        bool stochastic = options.Scheduler == "ddpm" || options.Eta > 0;
        var sample = Draw();
        foreach (long t in scheduler.Timesteps)
        {
            using var step = NewDisposeScope();
            var noise = GuidedNoise(sample, full([b], t, dtype: int64, device: sample.device), condition, mmfs, options.GuidanceScale);
            var previous = sample;
            sample = scheduler.Step(noise, t, sample, noise: stochastic ? Draw() : null).PrevSample.MoveToOuterDisposeScope();
            previous.Dispose();   // memory stays flat over the steps
        }
        foreach (var g in generators) g.Dispose();
        return ToImages(sample).MoveToOuterDisposeScope();
    }
}
