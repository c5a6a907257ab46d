using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Language;
using MMInterleaved.Model;
using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>
/// Trains an MM-Interleaved model on a built-in task (or a document file) end to end: the model from its config, a word
/// tokenizer built from the task's vocabulary (saved as tokenizer.json), packed batches from the train split, the trainer,
/// and an exact-match answer accuracy on the validation split at every evaluation. The CLI's `mmi train` and notebook 03
/// call it, so both run the same code.
/// </summary>
public sealed class TaskRun
{
    /// <summary>The run's settings.</summary>
    public TaskRunOptions Options { get; }
    /// <summary>The model being trained.</summary>
    public MMInterleavedModel Model { get; }
    /// <summary>The tokenizer (saved in the run folder).</summary>
    public WordTokenizer Tokenizer { get; }
    /// <summary>The trainer (subscribe to its events for progress).</summary>
    public Trainer<InterleavedBatch> Trainer { get; }
    /// <summary>Training documents.</summary>
    public IDocumentSource TrainSource { get; }
    /// <summary>Held-out documents.</summary>
    public IDocumentSource EvalSource { get; }

    /// <summary>Builds everything from the options' preset and task; nothing trains until <see cref="Run"/>.</summary>
    public TaskRun(TaskRunOptions options) : this(options, Configure(options), null, null)
    {
    }

    /// <summary>Builds everything with an explicit model config and, optionally, explicit training and held-out sources
    /// (null: the options' task); nothing trains until <see cref="Run"/>.</summary>
    public TaskRun(TaskRunOptions options, ModelConfig config, IDocumentSource? train, IDocumentSource? eval)
    {
        Options = options;
        config = config.Validated();
        int imageSize = config.Vision.ImageSize;
        (TrainSource, EvalSource) = train is not null && eval is not null ? (train, eval) : OpenSources(options, imageSize);
        Directory.CreateDirectory(options.OutFolder);
        string tokenizerPath = Path.Combine(options.OutFolder, "tokenizer.json");
        Tokenizer = options.Resume && File.Exists(tokenizerPath)
            ? WordTokenizer.Load(tokenizerPath)
            : WordTokenizer.FromCorpus(Corpus(TrainSource, EvalSource), config.Decoder.VocabSize, keepMostFrequent: true);
        Tokenizer.Save(tokenizerPath);
        lock (GlobalRandom.Lock)
        {
            manual_seed(options.Seed);
            Model = new MMInterleavedModel(config);
        }

        var builder = new SequenceBuilder(Tokenizer, config.NumImageTokens);
        var packer = new SequencePacker(options.MaxLength, config.CrossAttention.MaxImagesPerSequence - 1);
        var collator = new BatchCollator(config.Tokens, imageSize);
        var data = new BatchStreamSource(position => new BatchStream(i => TrainSource.Count is long n && i >= n ? null : TrainSource.Get(i),
            builder, packer, collator, options.BatchSize, position));
        Trainer = new Trainer<InterleavedBatch>(Model, options.Training with { Seed = options.Seed }, data,
            batch => new StepLoss(Model.forward(batch).Loss ?? zeros(1).sum(), batch.AttentionMask.sum().item<long>()), options.OutFolder)
        {
            Evaluate = _ => Evaluate(options.EvalExamples),
            ExtraMetrics = () => Model.GateValues().Select((g, i) => ($"gate{i}", g)).ToDictionary(x => x.Item1, x => x.Item2),
            CheckpointFiles = new Dictionary<string, string> { ["config.json"] = config.ToJson(), ["tokenizer.json"] = Tokenizer.ToJson() },
        };
    }

    /// <summary>Loads model weights from a checkpoint folder (or a run folder's latest checkpoint).</summary>
    public void LoadCheckpoint(string folder)
    {
        string weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights) && new CheckpointStore(folder).Latest is string latest) weights = Path.Combine(latest, "model.safetensors");
        if (!File.Exists(weights)) throw new FileNotFoundException($"no checkpoint in {folder} (expected model.safetensors or a 'latest' checkpoint).", weights);
        ModelCheckpoint.LoadWeights(Model, weights);
    }

    /// <summary>Opens a finished run folder (its config.json and tokenizer.json) for evaluation or generation, with the
    /// weights of its latest checkpoint.</summary>
    public static TaskRun Open(string runFolder, string task, long seed = 0)
    {
        string config = Path.Combine(runFolder, "config.json");
        if (!File.Exists(config)) throw new FileNotFoundException($"{runFolder} is not a run folder (no config.json); train one with `mmi train`.", config);
        var run = new TaskRun(new TaskRunOptions { Model = config, Task = task, OutFolder = runFolder, Seed = seed, Resume = true });
        run.LoadCheckpoint(runFolder);
        return run;
    }

    /// <summary>Trains (resuming when the options say so).</summary>
    public TrainingResult Run() => Trainer.Run(Options.Resume);

    /// <summary>Exact-match accuracy of greedy answers on the first <paramref name="examples"/> held-out documents that
    /// carry an <c>answer</c> (all of them, for the QA tasks), plus the accuracy per <c>question_type</c>.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(int examples)
    {
        Model.eval();
        try
        {
            var results = new Dictionary<string, (int Right, int Total)>();
            var builder = new SequenceBuilder(Tokenizer, Model.Config.NumImageTokens);
            var collator = new BatchCollator(Model.Config.Tokens, Model.Config.Vision.ImageSize, leftPad: true);
            var documents = EvalSource.Take(examples).Where(d => d.Meta("answer") is not null).ToList();
            foreach (var chunk in documents.Chunk(16))
            {
                using var scope = NewDisposeScope();
                var prompts = chunk.Select(d => builder.BuildPrompt(d, dropTrailingTargetText: true)).ToList();
                var batch = collator.Collate(prompts);
                var generated = Model.GenerateTexts(batch, new GenerationOptions { MaxNewTokens = 12 });
                for (int i = 0; i < chunk.Length; i++)
                {
                    string predicted = Evaluation.TaskEvaluator.FirstSentence(Tokenizer.Decode(generated.Tokens[i]));
                    bool right = string.Equals(predicted, WordTokenizer.Normalize(chunk[i].Meta("answer")!).Trim(), StringComparison.Ordinal);
                    foreach (var key in new[] { "accuracy", "accuracy/" + (chunk[i].Meta("question_type") ?? "all") })
                    {
                        results.TryGetValue(key, out var r);
                        results[key] = (r.Right + (right ? 1 : 0), r.Total + 1);
                    }
                }
            }
            return results.ToDictionary(kv => kv.Key, kv => kv.Value.Total == 0 ? 0 : (double)kv.Value.Right / kv.Value.Total);
        }
        finally
        {
            Model.train();
        }
    }

    private static ModelConfig Configure(TaskRunOptions options)
    {
        var config = ModelPresets.Resolve(options.Model);
        return options.OffsetInitMagnitude is double magnitude
            ? config with { CrossAttention = config.CrossAttention with { OffsetInitMagnitude = magnitude } }
            : config;
    }

    private static (IDocumentSource Train, IDocumentSource Eval) OpenSources(TaskRunOptions options, int imageSize)
    {
        if (options.DataFile is string file)
        {
            var documents = DocumentFile.Read(file, imageSize: imageSize).ToList();
            int held = Math.Max(1, documents.Count / 10);   // the last tenth is held out
            return (new ListDocumentSource("file", documents.Take(documents.Count - held).ToList()),
                    new ListDocumentSource("file-eval", documents.Skip(documents.Count - held).ToList()));
        }
        var scene = new GlyphSceneOptions(ImageSize: imageSize, GridSide: options.GridSide);
        return (GridTasks.Create(options.Task, new GridTaskOptions(options.Seed, DataSplit.Train, scene) { QuestionsPerImage = options.QuestionsPerImage, Questions = options.Questions }),
                GridTasks.Create(options.Task, new GridTaskOptions(options.Seed, DataSplit.Validation, scene) { Questions = options.Questions }));
    }

    // Texts the tokenizer must cover: a sample of both splits (procedural tasks repeat a small vocabulary).
    private static IEnumerable<string> Corpus(IDocumentSource train, IDocumentSource eval) =>
        train.Take(3000).Concat(eval.Take(500)).SelectMany(d => d.Segments.OfType<TextSegment>().Select(s => s.Text)
            .Concat(d.Meta("answer") is string answer ? [answer] : []));
}
