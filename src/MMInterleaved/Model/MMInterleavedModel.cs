using MMInterleaved.Language;
using MMInterleaved.Ops;
using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Model;

/// <summary>
/// The comprehension half of MM-Interleaved, composed as the reference composes it (top-level names <c>soi_token</c>,
/// <c>visual_tokenizer</c>, <c>mm_decoder</c>, <c>text_decoder</c>): images become K visual tokens that replace the
/// &lt;|image|&gt; placeholders; a learnable vector is added at every &lt;|beginofimage|&gt;; the LLaMA decoder reads the
/// sequence, and its MMFS layers read the multi-scale maps of every image the token may see (same &lt;s&gt; segment, already
/// started); the text head gives next-token logits; the text loss masks targets as the reference does.
/// </summary>
public sealed class MMInterleavedModel : nn.Module
{
    [ComponentName(Name = "soi_token")] private readonly Parameter soiToken;
    [ComponentName(Name = "visual_tokenizer")] private readonly VisualTokenizer visualTokenizer;
    [ComponentName(Name = "mm_decoder")] private readonly LlamaDecoder mmDecoder;
    [ComponentName(Name = "text_decoder")] private readonly TextDecoder textDecoder;
    [ComponentName(Name = "image_decoder")] private readonly Diffusion.ImageDecoder? imageDecoder;
    [ComponentName(Name = "context_feat_proj")] private readonly Linear? contextFeatProj;

    /// <summary>The configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>Builds the model from its architecture (on the default device, initialised from libtorch's global generator)
    /// and applies the configured freezing. Weights come later: <see cref="Pipeline.MMInterleavedPipeline.FromPretrained"/>,
    /// or <see cref="LoadPretrainedEncoder"/> before training.</summary>
    public MMInterleavedModel(ModelConfig config, string name = "MMInterleaved") : base(name)
    {
        Config = config.Validated();
        var cross = config.CrossAttention;
        bool tokens = cross.Kind == CrossAttentionKind.DenseResamplerTokens;
        int valueDim = tokens ? config.Decoder.HiddenSize : config.Vision.HiddenSize;
        int[] sides = tokens ? [config.NumImageTokens] : cross.FeatureLevels.Select(l => config.MultiScaleSides[l]).ToArray();
        int baseSide = cross.BaseSpatialShape ?? config.GridSide;
        soiToken = nn.Parameter(zeros(1, config.Decoder.HiddenSize));
        visualTokenizer = new VisualTokenizer(config);
        mmDecoder = new LlamaDecoder(config.Decoder, i => cross.HasLayer(i) ? new LlamaMmfsAttention(config.Decoder, cross, valueDim, sides, baseSide) : null);
        textDecoder = new TextDecoder(config.Decoder.HiddenSize, config.Decoder.VocabSize, config.TextHead, config.Decoder.InitializerRange);
        if (config.ImageDecoder is { } decoder)
        {
            imageDecoder = new Diffusion.ImageDecoder(decoder);
            contextFeatProj = nn.Linear(config.Decoder.HiddenSize, config.Decoder.HiddenSize);
        }
        RegisterComponents();
        ApplyFreezing();
    }

    /// <summary>
    /// Loads a pre-trained vision encoder (ViT + adapter, names under <c>vision_model.</c>, as `mmi pretrain-encoder` writes
    /// it) into the image tokenizer. A relative path is looked up from the current folder, the application's folder and
    /// their parents (so the repository's <c>data/encoders/</c> is found from notebooks, tests and `mmi` alike); returns the
    /// file that was read.
    /// </summary>
    public string LoadPretrainedEncoder(string path)
    {
        string file = Runtime.RepositoryFiles.Find(path) ?? throw new FileNotFoundException(
            $"pre-trained vision encoder not found: {path} (looked from the current folder, the application's folder and their parents). Create it with " +
            $"`mmi pretrain-encoder --preset small --image-size {Config.Vision.ImageSize} --out {path}`, or train without a pre-trained encoder.", path);
        visualTokenizer.Encoder.LoadFromSafetensors(file);
        return file;
    }

    /// <summary>The image tokenizer.</summary>
    public VisualTokenizer VisualTokenizer => visualTokenizer;
    /// <summary>The decoder.</summary>
    public LlamaDecoder Decoder => mmDecoder;
    /// <summary>The text head.</summary>
    public TextDecoder TextHead => textDecoder;
    /// <summary>The image decoder, or null for a comprehension model.</summary>
    public Diffusion.ImageDecoder? ImageDecoder => imageDecoder;

    /// <summary>tanh of every MMFS gate, in layer order (either sign means open).</summary>
    public double[] GateValues() => mmDecoder.CrossAttentionBlocks.Select(b => b.GateValue).ToArray();

    /// <summary>Logits for every position and, when the batch has targets, the text loss (mean over counted targets).</summary>
    public ModelOutput forward(InterleavedBatch batch)
    {
        var (embeds, memory, vision) = PrepareWithVision(batch);
        var positions = (batch.AttentionMask.cumsum(-1) - 1).clamp_min(0);
        var hidden = mmDecoder.forward(embeds, batch.AttentionMask, positions, memory);
        var logits = textDecoder.forward(hidden);
        // targets are made and counted from the host copy of the ids: counting on the device would wait for it
        var host = batch.OnHost();
        var targets = InterleavedSequence.TextTargets(host.InputIds, host.AttentionMask, Config.Tokens, batch.IgnoreNoImagePrefix, batch.PromptOffsets, host.TargetMask);
        long count = targets.ne(-100).sum().item<long>();
        var textLoss = count == 0 ? null
            : F.cross_entropy(logits.to(float32).view(-1, logits.shape[^1]), targets.to(logits.device).view(-1), ignore_index: -100) * Config.LossTextWeight;
        var imageLoss = imageDecoder is not null && vision is not null ? ImageLoss(hidden, batch, host.InputIds, vision) : null;
        var loss = imageLoss is null ? textLoss : textLoss is null ? imageLoss * Config.ImageDecoder!.LossWeight : textLoss + imageLoss * Config.ImageDecoder!.LossWeight;
        return new ModelOutput(logits, loss, count, imageLoss, textLoss);
    }

    /// <summary>Generates text after each (left-padded) prompt row; stops at &lt;/s&gt; or &lt;|beginofimage|&gt;.</summary>
    public GenerationResult GenerateTexts(InterleavedBatch prompt, GenerationOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (embeds, memory) = Prepare(prompt);
        return TextGeneration.Generate(new DecoderStepper(mmDecoder, textDecoder), embeds, prompt.AttentionMask, memory, options,
            [Config.Tokens.Eos, Config.Tokens.BeginOfImage], Config.Tokens.Pad);
    }

    /// <summary>
    /// Scores answer options by the summed log-probability of their tokens after a context (the reference's
    /// <c>generate_scores</c>, used for ranking). <paramref name="context"/> holds one row; each option is a list of token
    /// ids (no &lt;s&gt;). Returns one score per option.
    /// </summary>
    public double[] ScoreOptions(InterleavedBatch context, IReadOnlyList<long[]> options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (context.InputIds.shape[0] != 1) throw new ArgumentException("ScoreOptions takes a context of one row.");
        long[] ids = context.InputIds[0].masked_select(context.AttentionMask[0].to(ScalarType.Bool)).data<long>().ToArray();
        int longest = options.Max(o => o.Length);
        var rows = new long[options.Count * (ids.Length + longest)];
        var masks = new long[rows.Length];
        Array.Fill(rows, Config.Tokens.Pad);
        for (int o = 0; o < options.Count; o++)
        {
            int at = o * (ids.Length + longest);
            ids.CopyTo(rows, at);
            options[o].CopyTo(rows, at + ids.Length);
            Array.Fill(masks, 1L, at, ids.Length + options[o].Length);
        }
        long width = ids.Length + longest;
        var images = context.Images.repeat(options.Count, 1, 1, 1);
        var batch = new InterleavedBatch(tensor(rows).view(options.Count, width).to(context.InputIds.device),
            tensor(masks).view(options.Count, width).to(context.InputIds.device), images);
        var logProbabilities = F.log_softmax(forward(batch).Logits.to(float32), -1);
        var scores = new double[options.Count];
        for (int o = 0; o < options.Count; o++)
            for (int t = 0; t < options[o].Length; t++)
                scores[o] += logProbabilities[o, ids.Length + t - 1, options[o][t]].item<float>();
        return scores;
    }

    /// <summary>Input embeddings with visual tokens scattered in and the &lt;BoI&gt; vector added, and the MMFS memory.</summary>
    public (Tensor Embeds, VisualMemory Memory) Prepare(InterleavedBatch batch)
    {
        var (embeds, memory, _) = PrepareWithVision(batch);
        return (embeds, memory);
    }

    // Prepare, also returning the image tokenizer's output (null without images), which the image decoder reads.
    private (Tensor Embeds, VisualMemory Memory, VisualTokenizerOutput? Vision) PrepareWithVision(InterleavedBatch batch)
    {
        var ids = batch.InputIds;
        var hostIds = batch.OnHost().InputIds;   // the geometry (image counts, placeholder positions) is read on the host
        long b = ids.shape[0], l = ids.shape[1], d = Config.Decoder.HiddenSize, k = Config.NumImageTokens;
        var (_, counts) = InterleavedSequence.ImageStarts(hostIds, Config.Tokens);
        long images = counts.Sum();
        if (images != batch.Images.shape[0])
            throw new ArgumentException($"the token ids hold {images} image blocks (<|beginofimage|> + <|image|>…) but {batch.Images.shape[0]} images were given.");
        var placeholders = hostIds.eq(Config.Tokens.Image);
        long slotsInIds = placeholders.sum().item<long>();
        if (slotsInIds != images * k)
            throw new ArgumentException($"the token ids hold {slotsInIds} <|image|> placeholders; {images} images × NumImageTokens {k} = {images * k} expected (each image is <|beginofimage|> followed by exactly {k} <|image|>).");

        var embeds = mmDecoder.Embed(ids);
        VisualMemory memory;
        VisualTokenizerOutput? vision = null;
        if (images > 0)
        {
            vision = visualTokenizer.forward(batch.Images.to(embeds.dtype));
            var positions = placeholders.flatten().nonzero().squeeze(1).to(embeds.device);
            embeds = embeds.reshape(b * l, d).index_copy(0, positions, vision.VisualTokens.reshape(-1, d)).view(b, l, d);
            memory = Memory(hostIds, counts, vision);
        }
        else
        {
            memory = EmptyMemory(b, l, embeds.dtype, embeds.device);
        }
        embeds = embeds + ids.eq(Config.Tokens.BeginOfImage).unsqueeze(-1).to(embeds.dtype) * soiToken;
        return (embeds, memory, vision);
    }

    /// <summary>
    /// The UNet condition of every image of the batch, in row-major order (reference-spec §5.1): the final hidden states from
    /// its segment's &lt;s&gt; to its &lt;|beginofimage|&gt; (so never its own pixels), reversed in time, through
    /// <c>context_feat_proj</c> plus a 1-D sin-cos embedding, resampled; and the multi-scale maps of the earlier image(s)
    /// its MMFSNet reads. To generate the image after a prompt, end the prompt with a placeholder image: its pixels are
    /// not read. Needs an image decoder.
    /// </summary>
    public ImageConditions ConditionImages(InterleavedBatch batch)
    {
        if (imageDecoder is null) throw new InvalidOperationException("this model has no image decoder (config image_decoder is null): it cannot generate images.");
        using var scope = NewDisposeScope();
        var (embeds, memory, vision) = PrepareWithVision(batch);
        if (vision is null) throw new ArgumentException("the batch holds no image block: end each prompt with the image to generate (<|beginofimage|> + <|image|>…).");
        var positions = (batch.AttentionMask.cumsum(-1) - 1).clamp_min(0);
        var hidden = mmDecoder.forward(embeds, batch.AttentionMask, positions, memory);
        var (images, condition, features) = Conditions(hidden, batch.OnHost().InputIds, vision);
        return new ImageConditions(images, condition.MoveToOuterDisposeScope(), features?.MoveToOuterDisposeScope());
    }

    // The image loss of every image (reference-spec §5.1): images whose context is only <s><BoI> get none; the targets are
    // resized to the decoder's side when the tokenizer's differs.
    private Tensor ImageLoss(Tensor hidden, InterleavedBatch batch, Tensor hostIds, VisualTokenizerOutput vision)
    {
        var (images, condition, features) = Conditions(hidden, hostIds, vision);
        var decoderConfig = Config.ImageDecoder!;
        var lossMask = tensor(images.Select(c => c.HasCondition ? 1f : 0f).ToArray(), device: hidden.device);
        var targets = batch.Images.shape[^1] == decoderConfig.ImageSize ? batch.Images
            : F.interpolate(batch.Images, [decoderConfig.ImageSize, decoderConfig.ImageSize], mode: InterpolationMode.Bilinear, align_corners: false);
        using var generator = batch.NoiseSeed is ulong seed ? new Generator(seed, hidden.device) : null;
        return imageDecoder!.Loss(targets.to(hidden.dtype), condition, features, lossMask, generator);
    }

    private (IReadOnlyList<ImageContext> Images, Tensor Condition, Diffusion.MmfsFeatures? Features) Conditions(Tensor hidden, Tensor hostIds, VisualTokenizerOutput vision)
    {
        long b = hidden.shape[0], l = hidden.shape[1], d = hidden.shape[2];
        var images = ImageContext.Of(hostIds.contiguous().data<long>().ToArray(), b, l, Config.Tokens);
        int n = images.Count;
        long longest = images.Max(c => c.Length);
        var index = new long[n * longest];
        var present = new float[n * longest];
        for (int k = 0; k < n; k++)
            for (long j = 0; j < images[k].Length; j++)
            {
                index[k * longest + j] = images[k].Row * l + images[k].BeginOfImage - j;
                present[k * longest + j] = 1;
            }
        var mask = tensor(present, device: hidden.device).view(n, longest);
        var context = hidden.reshape(b * l, d).index_select(0, tensor(index, device: hidden.device)).view(n, longest, d) * mask.unsqueeze(-1).to(hidden.dtype);
        context = contextFeatProj!.forward(context) + Vision.SinCosPositionEmbedding.Build1D((int)d, arange(longest)).to(hidden.dtype, hidden.device).unsqueeze(0);
        var condition = imageDecoder!.Condition(context, mask.to(int64));
        var decoderConfig = Config.ImageDecoder!;
        Diffusion.MmfsFeatures? features = decoderConfig.Mmfs is null ? null : DecoderFeatures(images, vision, decoderConfig.MmfsImages);
        return (images, condition, features);
    }

    // The multi-scale maps of the images each image's UNet MMFS reads: [n, I, W, s, s] per level, slot mask [n, I].
    private static Diffusion.MmfsFeatures DecoderFeatures(IReadOnlyList<ImageContext> images, VisualTokenizerOutput vision, Diffusion.DecoderMmfsImages which)
    {
        var sources = ImageContext.MmfsSources(images, which);
        int n = images.Count, slots = Math.Max(1, sources.Max(s => s.Length));
        var index = new long[n * slots];
        var present = new long[n * slots];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < sources[k].Length; i++)
            {
                index[k * slots + i] = sources[k][i];
                present[k * slots + i] = 1;
            }
        var device = vision.MultiScaleFeatures[0].device;
        var select = tensor(index, device: device);
        var levels = vision.MultiScaleFeatures.Select(m => m.index_select(0, select).view([n, slots, .. m.shape.Skip(1)])).ToArray();
        return new Diffusion.MmfsFeatures(levels, tensor(present, device: device).view(n, slots));
    }

    private VisualMemory Memory(Tensor hostIds, long[] counts, VisualTokenizerOutput vision)
    {
        var cross = Config.CrossAttention;
        Tensor perImage;
        (long H, long W)[] levelShapes;
        if (cross.Kind == CrossAttentionKind.DenseResamplerTokens)
        {
            perImage = vision.VisualTokens;                                          // [N,K,D]
            levelShapes = [(Config.NumImageTokens, 1)];
        }
        else
        {
            var maps = cross.FeatureLevels.Select(i => vision.MultiScaleFeatures[i]).ToArray();
            perImage = cat(maps.Select(m => m.flatten(2).transpose(1, 2)).ToArray(), 1);   // [N,S,W]
            levelShapes = maps.Select(m => (m.shape[2], m.shape[3])).ToArray();
        }
        var slots = InterleavedSequence.GatherSlots(perImage, counts);              // [B,I,S,W]
        long slotCount = slots.shape[1];
        var shapes = Enumerable.Repeat(levelShapes, (int)slotCount).SelectMany(x => x).ToArray();
        return new VisualMemory(slots, shapes, MultiScaleDeformableAttention.StartsOf(shapes),
            InterleavedSequence.VisibilityMask(hostIds, Config.Tokens, cross.MultiImage).to(perImage.device));
    }

    // A batch without images still runs the cross-attention blocks (on one empty, hidden slot), so a row's result does not
    // depend on whether other rows in its batch have images.
    private VisualMemory EmptyMemory(long b, long l, ScalarType dtype, Device device)
    {
        var cross = Config.CrossAttention;
        (long H, long W)[] shapes = cross.Kind == CrossAttentionKind.DenseResamplerTokens
            ? [(Config.NumImageTokens, 1)]
            : cross.FeatureLevels.Select(i => ((long)Config.MultiScaleSides[i], (long)Config.MultiScaleSides[i])).ToArray();
        long s = shapes.Sum(x => x.H * x.W);
        long width = cross.Kind == CrossAttentionKind.DenseResamplerTokens ? Config.Decoder.HiddenSize : Config.Vision.HiddenSize;
        return new VisualMemory(zeros([b, 1, s, width], dtype: dtype, device: device), shapes, MultiScaleDeformableAttention.StartsOf(shapes),
            zeros([b, l, 1], dtype: int64, device: device));
    }

    /// <summary>The reference's freezing: the language model except <c>llama_cross_attn</c>; the ViT except the adapter
    /// (the adapter too with <see cref="ModelConfig.FreezeAdapter"/>);
    /// the FrozenPlusNew head's <c>head</c>.</summary>
    private void ApplyFreezing()
    {
        if (Config.FreezeLanguageModel)
            foreach (var (name, parameter) in mmDecoder.named_parameters())
                if (!name.Contains("llama_cross_attn", StringComparison.Ordinal)) parameter.requires_grad = false;
        if (Config.FreezeVisionEncoder) visualTokenizer.Encoder.FreezeVit();
        if (Config.FreezeVisionEncoder && Config.FreezeAdapter)
            foreach (var parameter in visualTokenizer.Encoder.parameters()) parameter.requires_grad = false;
    }
}
