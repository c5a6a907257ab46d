using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Diffusion;
using MMInterleaved.Evaluation;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>
/// A training run on the pipeline, in a run folder that is a pipeline folder (<c>config.json</c>, <c>tokenizer.json</c>,
/// and <c>model.safetensors</c> once finished) plus <c>training_args.json</c> (<see cref="TrainingArgs"/>: everything that
/// defines the run), <c>metrics.jsonl</c> and checkpoints (each itself a pipeline folder with the optimizer and trainer
/// state). <see cref="Create"/> starts one; <see cref="Resume"/> continues one from its folder alone, to the same weights
/// as an uninterrupted run. `mmi train`, notebook 03 and the ablations all train through it; evaluation goes through the
/// one <see cref="TaskEvaluator"/>.
/// </summary>
public sealed class TrainingRun
{
    private TrainingRun(string folder, TrainingArgs args, MMInterleavedPipeline pipeline, IDocumentSource train, IDocumentSource eval, bool resuming)
    {
        Folder = folder;
        Args = args;
        Pipeline = pipeline;
        TrainSource = train;
        EvalSource = eval;
        Resuming = resuming;
        Evaluator = new TaskEvaluator(pipeline) { Segmenter = new(() => GlyphSegmenter.ForTask(eval)), Inception = new(Evaluation.Inception.FidInceptionV3.TryLoadDefault) };
        var processor = pipeline.Processor;
        int window = args.WindowLength(pipeline.Config.NumImageTokens);
        var data = new BatchStreamSource(position => processor.TrainingStream(i => train.Count is long n && i >= n ? null : train.Get(i),
            args.BatchSize, window, position));
        bool scorable = args.EvalExamples > 0 && TaskEvaluator.MetricOf(eval.Take(1).ToList()) is not null;
        Trainer = new Trainer<InterleavedBatch>(pipeline.Model, args.Optimization with { Seed = args.Seed }, data, Loss, folder)
        {
            Evaluate = scorable ? _ => Evaluate(args.EvalExamples) : null,
            ExtraMetrics = () => pipeline.Model.GateValues().Select((g, i) => ($"gate{i}", g)).ToDictionary(x => x.Item1, x => x.Item2),
            CheckpointFiles = new Dictionary<string, string>
            {
                [MMInterleavedPipeline.ConfigFile] = pipeline.Config.ToJson(),
                [TokenizerFile.FileName] = TokenizerFile.ToJson(pipeline.Tokenizer),
            },
        };
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }
    /// <summary>The run's settings (what training_args.json holds).</summary>
    public TrainingArgs Args { get; }
    /// <summary>Model, tokenizer, processor and device.</summary>
    public MMInterleavedPipeline Pipeline { get; }
    /// <summary>The model being trained.</summary>
    public MMInterleavedModel Model => Pipeline.Model;
    /// <summary>The trainer (subscribe to its events for progress; replace <see cref="Trainer{TBatch}.Evaluate"/> for a
    /// custom learning curve).</summary>
    public Trainer<InterleavedBatch> Trainer { get; }
    /// <summary>The evaluator of held-out documents (official metrics).</summary>
    public TaskEvaluator Evaluator { get; }
    /// <summary>Training documents.</summary>
    public IDocumentSource TrainSource { get; }
    /// <summary>Held-out documents.</summary>
    public IDocumentSource EvalSource { get; }
    /// <summary>Whether <see cref="Run"/> continues from the folder's latest checkpoint.</summary>
    public bool Resuming { get; }

    /// <summary>Whether <paramref name="folder"/> already holds a run (training args or a checkpoint).</summary>
    public static bool IsRunFolder(string folder) =>
        File.Exists(Path.Combine(folder, TrainingArgs.FileName)) || File.Exists(Path.Combine(folder, CheckpointStore.LatestFile));

    /// <summary>
    /// Starts a run in <paramref name="folder"/> (which must not hold one): the model from <paramref name="config"/> (null:
    /// the preset or config file <see cref="TrainingArgs.Model"/> names) initialised from the seed, with its pre-trained
    /// encoder (<see cref="TrainingArgs.PretrainedEncoder"/>: null takes the preset's, "none" none), a word tokenizer built
    /// from training text only, and the training and held-out documents (null: the task's or the data file's). Writes
    /// training_args.json (with the encoder resolved), config.json and tokenizer.json; nothing trains until <see cref="Run"/>.
    /// </summary>
    public static TrainingRun Create(string folder, TrainingArgs args, ModelConfig? config = null, IDocumentSource? train = null, IDocumentSource? eval = null,
        Device? device = null)
    {
        args = args.Validated();
        if (IsRunFolder(folder))
            throw new InvalidOperationException($"{folder} already holds a run; continue it with `mmi train --resume {folder}` (TrainingRun.Resume), or train into another folder.");
        config ??= ModelPresets.Resolve(args.Model);
        config = WithImageDecoderFor(args, config);
        if (args.OffsetInitMagnitude is double magnitude) config = config with { CrossAttention = config.CrossAttention with { OffsetInitMagnitude = magnitude } };
        config = config.Validated();
        string? encoder = args.PretrainedEncoder switch
        {
            null => ModelPresets.PretrainedEncoderFor(args.Model, config),
            "none" => null,
            var path => path,
        };
        // a frozen encoder nobody loaded stays random: refuse rather than train a silently blind model (issue 17 met it)
        if (args.PretrainedEncoder is null && encoder is null && config.FreezeVisionEncoder)
            throw new ArgumentException($"{args.Model}: the model freezes its vision encoder (freeze_vision_encoder) but no pre-trained encoder is named, so it " +
                $"would stay at its random initialisation; pass --encoder FILE (the small preset's: {ModelPresets.SmallEncoderPath}), or --encoder none to train on a random frozen encoder.");
        if (train is null || eval is null) (train, eval) = OpenSources(args, config.Vision.ImageSize);
        var tokenizer = WordTokenizer.FromCorpus(Corpus(train), config.Decoder.VocabSize, keepMostFrequent: true);
        var (model, encoderFile) = Build(config, args.Seed, encoder);
        args = args with
        {
            PretrainedEncoder = encoder ?? "none",
            PretrainedEncoderSha256 = encoderFile is null ? null : TrainingArgs.Sha256Of(encoderFile),
        };
        Directory.CreateDirectory(folder);
        var pipeline = new MMInterleavedPipeline(model, tokenizer, device);
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, MMInterleavedPipeline.ConfigFile), config.ToJson());
        tokenizer.Save(Path.Combine(folder, TokenizerFile.FileName));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, TrainingArgs.FileName), args.ToJson());
        return new TrainingRun(folder, args, pipeline, train, eval, resuming: false);
    }

    /// <summary>
    /// The model a task needs: a generation task (<see cref="GridTasks.IsGeneration"/>) gets the preset's image decoder
    /// (<see cref="ImageDecoderPresets.For"/>) when <paramref name="config"/> has none; a config file without one is an error.
    /// </summary>
    public static ModelConfig WithImageDecoderFor(TrainingArgs args, ModelConfig config)
    {
        if (args.DataFile is not null || !GridTasks.IsGeneration(args.Task) || config.ImageDecoder is not null) return config;
        if (!ModelPresets.Names.Contains(args.Model.ToLowerInvariant()))
            throw new ArgumentException($"{args.Model}: the task {args.Task} generates images, but this config has no image_decoder; add one (see ImageDecoderPresets) or train a preset.");
        return config with { ImageDecoder = ImageDecoderPresets.For(args.Model, config) };
    }

    /// <summary>
    /// Continues the run in <paramref name="folder"/> with every setting from its training_args.json, config.json and
    /// tokenizer.json, from its latest checkpoint. <paramref name="steps"/> may extend the run (never shorten it): the
    /// schedule is then stretched to the new total, so the result differs from a run trained that long from the start.
    /// <paramref name="train"/> and <paramref name="eval"/> replace the documents the args name (a caller that built its
    /// own, as <see cref="Experiments.AblationRun"/> does, passes the same ones again).
    /// </summary>
    public static TrainingRun Resume(string folder, int? steps = null, Device? device = null, IDocumentSource? train = null, IDocumentSource? eval = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--resume: the run folder '{folder}' does not exist.");
        var args = TrainingArgs.Load(Path.Combine(folder, TrainingArgs.FileName));
        if (steps is int total && total != args.Optimization.Steps)
        {
            if (total < args.Optimization.Steps)
                throw new ArgumentException($"--steps {total} is below the run's steps {args.Optimization.Steps} ({Path.Combine(folder, TrainingArgs.FileName)}); a resumed run may only be extended.");
            args = args with { Optimization = args.Optimization with { Steps = total } };
        }
        var config = ModelConfig.Load(Path.Combine(folder, MMInterleavedPipeline.ConfigFile));
        var tokenizer = TokenizerFile.Load(Path.Combine(folder, TokenizerFile.FileName));
        if (train is null || eval is null) (train, eval) = OpenSources(args, config.Vision.ImageSize);
        string? encoder = args.PretrainedEncoder is null or "none" ? null : args.PretrainedEncoder;
        var (model, _) = Build(config, args.Seed, encoder);   // the checkpoint overwrites every weight; the encoder keeps a fresh start identical
        MMInterleavedPipeline pipeline;
        try { pipeline = new MMInterleavedPipeline(model, tokenizer, device); }
        catch (ArgumentException e) { throw new InvalidDataException($"{folder}: {TokenizerFile.FileName} does not fit {MMInterleavedPipeline.ConfigFile}: {e.Message}", e); }
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, TrainingArgs.FileName), args.ToJson());
        // the folder's final weights (from a shorter run) would be stale once training moves on; the checkpoint holds them
        if (new CheckpointStore(folder).Latest is not null) File.Delete(Path.Combine(folder, ModelCheckpoint.WeightsFile));
        return new TrainingRun(folder, args, pipeline, train, eval, resuming: true);
    }

    /// <summary>Trains to the end (or until <paramref name="cancel"/>, with a checkpoint of the last step); a finished run
    /// writes its final weights into the folder, which then opens with <see cref="MMInterleavedPipeline.FromPretrained"/>.</summary>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        var result = Trainer.Run(Resuming, cancel);
        if (!result.Interrupted) Pipeline.SavePretrained(Folder);
        return result;
    }

    /// <summary>The official scores of the first <paramref name="examples"/> held-out documents (VQA accuracy in percent;
    /// caption metrics as fractions; see <see cref="ITaskEvaluation.Metrics"/>).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(int examples) => Evaluator.Evaluate(EvalSource.Take(examples).ToList()).Metrics;

    /// <summary>The training and held-out documents <paramref name="args"/> name: the task's train split and its
    /// <paramref name="heldOut"/> split (validation by default; Test for final numbers), or a document file's first nine
    /// tenths and last tenth. A task mixture "a+b" trains on a and b in turn (one document each; "a*4+b" four of a, then one of b) and holds out a's.</summary>
    public static (IDocumentSource Train, IDocumentSource Eval) OpenSources(TrainingArgs args, int imageSize, DataSplit heldOut = DataSplit.Validation)
    {
        if (args.DataFile is string file)
        {
            var documents = DocumentFile.Read(file, imageSize: imageSize).ToList();
            int held = Math.Max(1, documents.Count / 10);   // the last tenth is held out
            return (new ListDocumentSource("file", documents.Take(documents.Count - held).ToList()),
                    new ListDocumentSource("file-eval", documents.Skip(documents.Count - held).ToList()));
        }
        var scene = new GlyphSceneOptions(ImageSize: imageSize, GridSide: args.GridSide);
        var mixture = TaskMixture.Parse(args.Task);
        IDocumentSource Train(string task) => GridTasks.Create(task, new GridTaskOptions(args.Seed, DataSplit.Train, scene) { QuestionsPerImage = args.QuestionsPerImage, Questions = args.Questions });
        // a mixture ("glyph-vqa+glyph-text-to-image", weighted "a*4+b") takes its tasks' documents in turn and is scored on the first
        var train = mixture.Pattern.Count == 1 ? Train(mixture.First) : new MixedDocumentSource(args.Task, mixture.Tasks.Select(Train).ToList(), mixture.Pattern);
        return (train, GridTasks.Create(mixture.First, new GridTaskOptions(args.Seed, heldOut, scene) { Questions = args.Questions }));
    }

    private StepLoss Loss(InterleavedBatch batch)
    {
        long tokens = batch.AttentionMask.sum().item<long>();   // on the host, before the move
        // the image loss's draws follow (run seed, batch ordinal), not the global generator that parallel runs share
        var noise = SeededRandom.Hash((ulong)Args.Seed, (ulong)batch.Ordinal, SeededRandom.Hash("image-loss"));
        var output = Model.forward(batch.To(Pipeline.Device) with { NoiseSeed = noise });
        if (Model.ImageDecoder is null) return new StepLoss(output.Loss, tokens);
        // how many images the diffusion loss learned from (a mixture's long documents crowd out short ones in a packed row)
        var host = batch.OnHost().InputIds;
        int targets = ImageContext.Of(host.contiguous().data<long>().ToArray(), host.shape[0], host.shape[1], Model.Config.Tokens).Count(c => c.HasCondition);
        return new StepLoss(output.Loss, tokens, new Dictionary<string, Tensor?>
        {
            ["loss_txt"] = output.TextLoss, ["loss_img"] = output.ImageLoss, ["image_targets"] = tensor((double)targets),
        });
    }

    // Seeded construction holds the global lock, so a run in a thread draws the same initialisation as alone.
    private static (MMInterleavedModel Model, string? EncoderFile) Build(ModelConfig config, long seed, string? encoder)
    {
        lock (GlobalRandom.Lock)
        {
            manual_seed(seed);
            var model = new MMInterleavedModel(config);
            return (model, encoder is null ? null : model.LoadPretrainedEncoder(encoder));
        }
    }

    // The vocabulary comes from training text only (a sample: procedural tasks repeat a small vocabulary), so nothing of
    // the held-out split leaks into the model.
    private static IEnumerable<string> Corpus(IDocumentSource train) =>
        train.Take(3000).SelectMany(d => d.Segments.OfType<TextSegment>().Select(s => s.Text).Concat(d.Meta("answer") is string answer ? [answer] : []));
}
