using MMInterleaved.Data;
using MMInterleaved.Data.Text;
using MMInterleaved.Diffusion;
using MMInterleaved.Language;
using MMInterleaved.Mmfs;
using MMInterleaved.Model;
using MMInterleaved.Training;
using MMInterleaved.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Pipeline;

/// <summary>
/// A trained MM-Interleaved model as one bundle, HF-style: the <see cref="Model"/>, its <see cref="Tokenizer"/>, the
/// <see cref="Processor"/> that turns documents into batches, and the <see cref="Device"/> they run on.
/// <see cref="FromPretrained"/> opens a folder of <c>config.json</c> (architecture, snake_case), <c>model.safetensors</c>
/// (the reference's parameter names) and <c>tokenizer.json</c> (with its special tokens); <see cref="SavePretrained"/>
/// writes one. A run folder of `mmi train` is such a folder (while it trains, its latest checkpoint is).
/// <code>
/// var pipeline = MMInterleavedPipeline.FromPretrained("artifacts/runs/glyph-vqa-small");
/// string answer = pipeline.Generate(document);
/// </code>
/// </summary>
public sealed class MMInterleavedPipeline
{
    /// <summary>File name of the architecture.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Bundles a model with its tokenizer (their special ids must agree) on <paramref name="device"/> (default:
    /// where the model's parameters are).</summary>
    public MMInterleavedPipeline(MMInterleavedModel model, ITextTokenizer tokenizer, Device? device = null)
    {
        Model = model;
        Tokenizer = tokenizer;
        Processor = new MMInterleavedProcessor(tokenizer, model.Config);
        Device = device ?? model.parameters().First().device;
        if (device is not null) model.to(device);
    }

    /// <summary>The model.</summary>
    public MMInterleavedModel Model { get; }
    /// <summary>The text tokenizer.</summary>
    public ITextTokenizer Tokenizer { get; }
    /// <summary>Documents to batches and ids to text.</summary>
    public MMInterleavedProcessor Processor { get; }
    /// <summary>Where the model runs; batches are moved here.</summary>
    public Device Device { get; private set; }
    /// <summary>The model's architecture.</summary>
    public ModelConfig Config => Model.Config;

    /// <summary>
    /// Opens a pipeline folder: <c>config.json</c>, <c>model.safetensors</c> and <c>tokenizer.json</c>; a run folder whose
    /// final weights are not written yet opens at its latest checkpoint. Config files of earlier versions (PascalCase
    /// keys) are read too. Missing or damaged files are errors that name the file.
    /// </summary>
    public static MMInterleavedPipeline FromPretrained(string folder, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder (a pipeline folder holds {ConfigFile}, {ModelCheckpoint.WeightsFile} and {TokenizerFile.FileName}).");
        string source = WeightsFolder(folder);
        string configPath = Find(folder, source, ConfigFile);
        var config = ModelConfig.Load(configPath);
        var tokenizer = TokenizerFile.Load(Find(folder, source, TokenizerFile.FileName));
        string weights = Path.Combine(source, ModelCheckpoint.WeightsFile);
        if (!File.Exists(weights))
            throw new FileNotFoundException($"{folder} holds {ConfigFile} but no {ModelCheckpoint.WeightsFile} and no finished checkpoint; train it (`mmi train --resume {folder}`) or save weights with SavePretrained.", weights);
        var saved = ModelCheckpoint.SavedDtype(weights);
        MMInterleavedModel model;
        lock (GlobalRandom.Lock) model = new MMInterleavedModel(config);   // its initialisation is overwritten; keep others' draws intact
        if (saved != ScalarType.Float32) model.to(saved);                  // load in the saved precision, exactly
        ModelCheckpoint.LoadWeights(model, weights);
        try
        {
            return new MMInterleavedPipeline(model, tokenizer, device);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{folder}: {TokenizerFile.FileName} does not fit {ConfigFile}: {e.Message}", e);
        }
    }

    /// <summary>Writes <c>config.json</c>, <c>model.safetensors</c> and <c>tokenizer.json</c> into <paramref name="folder"/>
    /// (created if needed), each atomically.</summary>
    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        ModelCheckpoint.SaveWeights(Model, Path.Combine(folder, ModelCheckpoint.WeightsFile));
        TokenizerFile.Save(Tokenizer, Path.Combine(folder, TokenizerFile.FileName));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), Config.ToJson());
    }

    /// <summary>Moves the model to <paramref name="device"/>; later batches follow it. Returns this pipeline.</summary>
    public MMInterleavedPipeline To(Device device)
    {
        Model.to(device);
        Device = device;
        return this;
    }

    /// <summary>Continues every document after its last segment (greedy unless <paramref name="options"/> say otherwise);
    /// with <paramref name="dropTrailingTargetText"/> a question document's answer is left out first. Returns the texts.</summary>
    public IReadOnlyList<string> Generate(IReadOnlyList<InterleavedDocument> documents, GenerationOptions? options = null, bool dropTrailingTargetText = false)
    {
        var ids = GenerateIds(Processor.Prompts(documents, dropTrailingTargetText), options);
        return ids.Select(t => Processor.Decode(t)).ToList();
    }

    /// <summary>The continuation of one document.</summary>
    public string Generate(InterleavedDocument document, GenerationOptions? options = null, bool dropTrailingTargetText = false) =>
        Generate([document], options, dropTrailingTargetText)[0];

    /// <summary>Generated token ids for a prompt batch (moved to the device; evaluation mode for the call).</summary>
    public long[][] GenerateIds(InterleavedBatch prompts, GenerationOptions? options = null) =>
        InEvalMode(() => Model.GenerateTexts(prompts.To(Device), options ?? new GenerationOptions()).Tokens);

    /// <summary>Scores each option as a continuation of <paramref name="context"/>: the summed log-probability of its tokens
    /// (the reference's <c>generate_scores</c>, for ranking).</summary>
    public double[] ScoreOptions(InterleavedDocument context, IReadOnlyList<string> options) =>
        InEvalMode(() => Model.ScoreOptions(Processor.Prompts([context]).To(Device), options.Select(Processor.EncodeContinuation).ToList()));

    /// <summary>
    /// Where every deformable MMFS layer samples for the tokens at <paramref name="positions"/> of the document's prompt
    /// tokens (<see cref="MMInterleavedProcessor.Prompt"/>), one <see cref="MmfsSamples"/> per MMFS layer in decoder order:
    /// locations [1,q,M,I,Lv,P,2] in [0,1] image coordinates and weights [1,q,M,I,Lv,P] (detached, on the CPU). With
    /// <paramref name="dropTrailingTargetText"/> a question document's answer is left out first (as <see cref="Generate(InterleavedDocument, GenerationOptions?, bool)"/> does).
    /// </summary>
    public IReadOnlyList<MmfsSamples> SamplingPoints(InterleavedDocument document, IReadOnlyList<long> positions, bool dropTrailingTargetText = false)
    {
        var prompt = Processor.Prompt(document, dropTrailingTargetText);
        if (positions.Count == 0 || positions.Any(p => p < 0 || p >= prompt.Ids.Length))
            throw new ArgumentException($"token positions must lie in 0..{prompt.Ids.Length - 1} (the document's {prompt.Ids.Length} prompt tokens).");
        var blocks = Model.Decoder.CrossAttentionBlocks.Where(b => b.Kind == CrossAttentionKind.Deformable).ToList();
        if (blocks.Count == 0) throw new InvalidOperationException("this model has no deformable MMFS layer (cross_attention.enabled is false or its kind is dense).");
        var chosen = positions.ToArray();
        return InEvalMode(() =>
        {
            foreach (var block in blocks) block.InspectPositions = chosen;
            try
            {
                using var scope = NewDisposeScope();
                Model.forward(Processor.Prompts([prompt]).To(Device));
                return blocks.Select(b => b.LastSamples!).Select(s => new MmfsSamples(Keep(s.Output), Keep(s.Locations), Keep(s.Weights), Keep(s.NullWeight))).ToList();
            }
            finally
            {
                foreach (var block in blocks) block.InspectPositions = null;
            }
        });

        static Tensor Keep(Tensor? t) => t!.detach().cpu().clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Generates the image that follows each prompt: the prompt, then &lt;|beginofimage|&gt; and its placeholders (whose
    /// pixels the condition never reads); the decoder samples <paramref name="candidates"/> images per prompt, candidate k
    /// from seed <see cref="ImageSamplingOptions.Seed"/> + k (so an image depends only on its prompt and seed, never on
    /// batch-mates). Returns [P, candidates, 3, S, S] in [0, 1] at the decoder's side, on the CPU. Needs an image decoder.
    /// </summary>
    public Tensor GenerateImages(IReadOnlyList<InterleavedDocument> prompts, ImageSamplingOptions? options = null, int candidates = 1)
    {
        options = (options ?? new ImageSamplingOptions()).Validated();
        var decoder = Model.ImageDecoder ?? throw new InvalidOperationException("this pipeline's model has no image decoder (config image_decoder is null): train it on a generation task (e.g. glyph-text-to-image).");
        if (prompts.Count == 0) throw new ArgumentException("GenerateImages: no prompts.");
        if (candidates < 1) throw new ArgumentException($"GenerateImages: candidates is {candidates}; it must be at least 1.");
        return InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var conditions = ConditionsAfter(prompts);
            var last = conditions.LastOfEachRow(prompts.Count);
            var rows = last.SelectMany(k => Enumerable.Repeat(k, candidates)).ToArray();
            var (condition, features) = conditions.Select(rows);
            var seeds = rows.Select((_, i) => options.Seed + i % candidates).ToArray();
            var images = decoder.Generate(condition, features, options, seeds);
            return images.view([prompts.Count, candidates, .. images.shape.Skip(1)]).cpu().MoveToOuterDisposeScope();
        });
    }

    /// <summary>The UNet conditions [P, Q, H] of the image after each prompt (CPU, detached): what the decoder's context
    /// path makes of the text, e.g. to check that different captions give different conditions.</summary>
    public Tensor ImageConditionsAfter(IReadOnlyList<InterleavedDocument> prompts) => InEvalMode(() =>
    {
        using var scope = NewDisposeScope();
        var conditions = ConditionsAfter(prompts);
        return conditions.Select(conditions.LastOfEachRow(prompts.Count)).Condition.cpu().MoveToOuterDisposeScope();
    });

    // the conditions of a batch of prompts each followed by a placeholder image (whose pixels the conditions never read)
    private ImageConditions ConditionsAfter(IReadOnlyList<InterleavedDocument> prompts)
    {
        var placeholder = new ImageSegment(() => zeros(3, Config.Vision.ImageSize, Config.Vision.ImageSize));
        return Model.ConditionImages(Processor.Prompts(prompts.Select(p => p with { Segments = [.. p.Segments, placeholder] }).ToList()).To(Device));
    }

    /// <summary>The image after one prompt: [3, S, S] in [0, 1] (see <see cref="GenerateImages"/>).</summary>
    public Tensor GenerateImage(InterleavedDocument prompt, ImageSamplingOptions? options = null)
    {
        using var scope = NewDisposeScope();
        return GenerateImages([prompt], options)[0, 0].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Continues a document with text and images in turn (<see cref="InterleavedGenerationOptions"/>): text until the model
    /// emits &lt;|beginofimage|&gt;, then an image, which is written back into the context (resized to the image
    /// tokenizer's side and re-encoded: visual tokens and MMFS features), then text again, until a stop rule.
    /// </summary>
    public InterleavedGenerationResult GenerateInterleaved(InterleavedDocument prompt, InterleavedGenerationOptions? options = null) =>
        InterleavedGeneration.Run(this, prompt, (options ?? new InterleavedGenerationOptions()).Validated());

    /// <summary>
    /// Where the image decoder's MMFSNet block <paramref name="block"/> (0… for the skips in UNet order, −1 for the mid block)
    /// samples the earlier image(s) for the pixels <paramref name="pixels"/> of its feature map (row-major) while denoising
    /// the image after <paramref name="prompt"/>: one conditional UNet call on noise (seeded) at <paramref name="timestep"/>.
    /// Locations [1,q,M,I,Lv,P,2] are in [0,1] coordinates of the earlier image (CPU, detached).
    /// </summary>
    public MmfsSamples DecoderSamplingPoints(InterleavedDocument prompt, int block, IReadOnlyList<long> pixels, long timestep = 500, long seed = 0)
    {
        var decoder = Model.ImageDecoder ?? throw new InvalidOperationException("this pipeline's model has no image decoder (config image_decoder is null).");
        var mmfs = decoder.Decoder.Mmfs ?? throw new InvalidOperationException("this image decoder has no MMFSNet (image_decoder.mmfs is null).");
        var target = mmfs.Block(block);
        return InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var conditions = ConditionsAfter([prompt]);
            var (condition, features) = conditions.Select(conditions.LastOfEachRow(1));
            if (features is null || features.Mask.sum().item<long>() == 0)
                throw new ArgumentException("the prompt holds no earlier image for the decoder's MMFS to read: put an image before the text that asks for the next one.");
            using var generator = new Generator((ulong)seed, Device);
            var config = decoder.Config;
            var noise = randn([1, config.UNet.InChannels, config.SampleSize, config.SampleSize], generator: generator, device: Device);
            target.InspectPositions = [.. pixels];
            try
            {
                decoder.PredictNoise(noise, full([1], timestep, dtype: int64, device: Device), condition, features);
                return target.LastSamples ?? throw new InvalidOperationException($"MMFSNet block {block} did not run.");
            }
            finally
            {
                target.InspectPositions = null;
            }
        });
    }

    /// <summary>The image tokenizer's output for images [N,3,S,S] in [0,1]: the visual tokens and the multi-scale maps
    /// (detached, on the pipeline's device).</summary>
    public VisualTokenizerOutput EncodeImages(Tensor images)
    {
        return InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var output = Model.VisualTokenizer.forward(images.to(Device));
            return new VisualTokenizerOutput(output.VisualTokens.detach().MoveToOuterDisposeScope(),
                output.MultiScaleFeatures.Select(f => f.detach().MoveToOuterDisposeScope()).ToArray());
        });
    }

    /// <summary>Runs <paramref name="work"/> in evaluation mode without gradients, restoring the model's mode after.</summary>
    public T InEvalMode<T>(Func<T> work)
    {
        bool training = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            return work();
        }
        finally
        {
            Model.train(training);
        }
    }

    // A run folder mid-training has its weights in the latest checkpoint; a pipeline folder has them at the top.
    private static string WeightsFolder(string folder) =>
        !File.Exists(Path.Combine(folder, ModelCheckpoint.WeightsFile)) && new CheckpointStore(folder).Latest is string latest ? latest : folder;

    private static string Find(string folder, string source, string file)
    {
        string top = Path.Combine(folder, file);
        if (File.Exists(top)) return top;
        string inner = Path.Combine(source, file);
        if (File.Exists(inner)) return inner;
        throw new FileNotFoundException($"{folder} is not a pipeline or run folder (no {file}); train one with `mmi train` or write one with SavePretrained.", top);
    }
}
