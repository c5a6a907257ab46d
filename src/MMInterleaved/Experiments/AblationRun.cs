using System.Diagnostics;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Evaluation;
using MMInterleaved.Model;
using MMInterleaved.Training;

namespace MMInterleaved.Experiments;

/// <summary>
/// Trains one variant with one seed and measures it: glyph-vqa training documents (several questions per image; with
/// multi-image questions mixed in when the experiment asks), a learning curve on a small held-out set every few hundred
/// steps (training time measured without evaluation time), and the final official VQA accuracy on the test questions,
/// split into the paper's columns (<see cref="AblationMetrics"/>). The same code serves `mmi reproduce` and the notebooks.
/// </summary>
public static class AblationRun
{
    /// <summary>Runs <paramref name="variant"/> with <paramref name="seed"/> in <paramref name="folder"/> (replaced), trained
    /// as <paramref name="training"/> says (default: VQA only); without <paramref name="score"/> (a tuning run) nothing is
    /// scored on the score split, only the Validation learning curve is kept. It checkpoints at every curve point; with
    /// <see cref="ExperimentSettings.Resume"/>, a run of the same fingerprint stopped part-way (killed, or
    /// <paramref name="cancel"/>led: that throws OperationCanceledException after the checkpoint) continues from there.</summary>
    public static RunRecord Execute(AblationVariant variant, long seed, ExperimentSettings settings, string folder, AblationTraining? training = null, bool score = true,
        CancellationToken cancel = default)
    {
        training ??= AblationTraining.Default;
        string task = training.Task;
        bool multiImage = training.MultiImage;
        bool captions = task == AblationExperiment.CaptionTask;
        if (!captions && task != AblationExperiment.VqaTask)
            throw new ArgumentException($"ablation task '{task}' is unknown; expected {AblationExperiment.VqaTask} or {AblationExperiment.CaptionTask}.");
        var config = variant.Configure(ModelPresets.Resolve(settings.Preset)).Validated();
        var scene = new GlyphSceneOptions(ImageSize: config.Vision.ImageSize);
        GridTaskOptions Options(DataSplit split) => new(seed, split, scene) { CaptionStyle = GridCaptionStyle.Rows };
        // VQA: the fine questions with the settings' share of coarse ones, in training and in every held-out set
        var questions = new VqaQuestionMix().WithCoarse(settings.CoarseQuestionShare);
        GridTaskOptions Held(DataSplit split) => captions ? Options(split) : Options(split) with { Questions = questions };
        var main = captions
            ? GridTasks.Create(task, Options(DataSplit.Train))
            : GridTasks.Create(task, Held(DataSplit.Train) with { QuestionsPerImage = settings.QuestionsPerImage });
        IDocumentSource train = main;
        if (multiImage)
            train = new MixedDocumentSource($"{task}+multi-image", [main, GridTasks.Create("glyph-multi-image", Options(DataSplit.Train))], [0, 0, 1]);
        else if (training.FewShotShots > 0)
            train = new MixedDocumentSource($"{task}+fewshot", [main, GridTasks.Create("glyph-fewshot", Options(DataSplit.Train) with { Shots = training.FewShotShots })], [0, 0, 1]);
        // one held-out set per seed (its own scenes), the same for every variant: Validation for the learning curve, the
        // settings' score split (Test) for the final numbers; the text-only arm sees every document without its images
        IDocumentSource Seen(IDocumentSource source) => variant.TextOnly ? new ImagelessDocumentSource(source) : source;
        train = Seen(train);
        var eval = Seen(GridTasks.Create(task, Held(DataSplit.Validation)));
        var test = Seen(GridTasks.Create(task, Held(settings.ScoreSplit)));
        // a run cut off mid-training (a session's end, a crash) continues from its last checkpoint when resuming and its
        // fingerprint matches; anything else starts afresh
        string fingerprint = Fingerprint(variant, settings, seed, training, score), curveFile = Path.Combine(folder, CurveFile);
        var store = new CheckpointStore(folder, keep: 1);
        int? resumeStep = settings.Resume && ReadOrNull(Path.Combine(folder, FingerprintFile))?.Trim() == fingerprint ? store.LatestStep : null;
        if (resumeStep is null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var args = new TrainingArgs
        {
            Model = settings.Preset, Task = train.Name, Seed = seed, BatchSize = settings.BatchSize, QuestionsPerImage = settings.QuestionsPerImage,
            // the committed encoder is the preset's own (null); another objective's is named
            PretrainedEncoder = settings.EncoderObjective == EncoderObjective.CellLabels ? null : ModelPresets.PretrainedEncoderFor(settings.Preset, config, settings.EncoderObjective),
            MaxLength = WindowLength(settings, config.NumImageTokens, training), EvalExamples = settings.CurveQuestions,
            Optimization = new TrainingConfig
            {
                Steps = settings.Steps, LearningRate = variant.LearningRate ?? settings.LearningRate, WarmupSteps = settings.WarmupSteps,
                EvalEvery = settings.CurveEvery, CheckpointEvery = settings.CurveEvery, KeepCheckpoints = 1, LogEvery = settings.Quick ? 1 : 25,
            },
        };
        var run = resumeStep is null ? TrainingRun.Create(folder, args, config, train, eval) : TrainingRun.Resume(folder, train: train, eval: eval);
        if (resumeStep is null) Runtime.AtomicFile.WriteAllText(Path.Combine(folder, FingerprintFile), fingerprint);
        var evaluator = run.Evaluator;
        if (captions)
        {
            // the learning curve of a caption run is CIDEr on a few held-out images
            var curveImages = eval.Take(settings.CurveCaptions).ToList();
            run.Trainer.Evaluate = _ => new Dictionary<string, double> { [CurveMetric] = ScoreCaptions(evaluator, curveImages)[AblationMetrics.Caption] };
        }
        // the curve so far (points after the checkpoint resumed from are trained again) and its training time go on
        // a deformable-MMFS arm also measures where it looks (Validation at each curve point, the score split at the end)
        bool looks = !captions && !variant.TextOnly && config.CrossAttention.Enabled && config.CrossAttention.Kind == Language.CrossAttentionKind.Deformable;
        if (looks && run.Trainer.Evaluate is { } accuracy)
            run.Trainer.Evaluate = step => new Dictionary<string, double>(accuracy(step).Concat(Attention(run.Pipeline, DataSplit.Validation, settings.Quick ? 4 : CurveAttentionQuestions, seed)));
        var curve = resumeStep is int from ? ReadCurve(curveFile).Where(p => p.Step <= from).ToList() : [];
        double before = curve.Count == 0 ? 0 : curve[^1].TrainSeconds;
        var wall = Stopwatch.StartNew();
        double TrainSeconds() => before + wall.Elapsed.TotalSeconds - run.Trainer.EvaluationTime.TotalSeconds;
        Runtime.AtomicFile.WriteAllText(curveFile, string.Concat(curve.Select(p => JsonSerializer.Serialize(p) + "\n")));
        run.Trainer.Evaluated += (step, metrics) =>
        {
            var attention = metrics.Where(m => AblationMetrics.IsAttention(m.Key)).ToDictionary();
            var point = new CurvePoint(step, TrainSeconds(), metrics[CurveMetric]) { Attention = attention.Count == 0 ? null : attention };
            curve.Add(point);
            File.AppendAllText(curveFile, JsonSerializer.Serialize(point) + "\n");
        };
        var result = run.Run(cancel);
        if (result.Interrupted) throw new OperationCanceledException($"{variant.Name} seed {seed}: stopped at step {result.Step}; resume continues from its checkpoint in {folder}.");
        double trainSeconds = TrainSeconds();

        Dictionary<string, double> metrics = !score ? []
            : captions
            ? ScoreCaptions(evaluator, test.Take(settings.TestCaptions).ToList())
            : Score(evaluator.EvaluateVqa(test.Take(settings.TestQuestions).ToList()));
        if (looks && score)
            foreach (var (name, value) in Attention(run.Pipeline, settings.ScoreSplit, settings.Quick ? 8 : FinalAttentionQuestions, seed)) metrics[name] = value;
        if (multiImage && score)
        {
            var multi = Seen(GridTasks.Create("glyph-multi-image", Options(settings.ScoreSplit)));
            metrics[AblationMetrics.MultiImage] = evaluator.EvaluateVqa(multi.Take(Math.Max(1, settings.TestQuestions / 2)).ToList()).Result.Overall;
        }
        long parameters = run.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        double tokensPerSecond = result.History.Count == 0 ? 0 : result.History.Average(p => p.TokensPerSecond);
        var record = new RunRecord(variant.Name, seed, result.Step, trainSeconds, tokensPerSecond, parameters, metrics, curve) { LearningRate = variant.LearningRate };
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, FinishedFile),
            JsonSerializer.Serialize(new Finished(Fingerprint(variant, settings, seed, training, score), record), FinishedJson));
        return record;
    }

    /// <summary>Cell questions of the attention measurement at each curve point and at the end (quick mode: 4 and 8).
    /// Constants, not settings: they measure the run, they do not change it.</summary>
    public const int CurveAttentionQuestions = 100, FinalAttentionQuestions = 300;

    // per MMFS layer, the asked cell's share of the image attention and its position-matched control, in percent
    private static IEnumerable<KeyValuePair<string, double>> Attention(MMInterleaved.Pipeline.MMInterleavedPipeline pipeline, DataSplit split, int questions, long seed)
    {
        var scores = Evaluation.Attention.CellAttention.Measure(pipeline, new Evaluation.Attention.CellAttentionOptions { Questions = questions, Split = split, Seed = seed });
        foreach (var score in scores)
        {
            yield return new(AblationMetrics.AttentionAsked(score.Layer), 100 * score.InAskedCell);
            yield return new(AblationMetrics.AttentionControl(score.Layer), 100 * score.InCellOtherwise);
        }
    }

    /// <summary>The training-time score a learning curve follows: official VQA accuracy in percent (the evaluator's
    /// <c>overall</c>); a caption run's curve puts CIDEr-D ×100 under the same name.</summary>
    public const string CurveMetric = "overall";

    /// <summary>Tokens per packed training row (<see cref="TrainingArgs.WindowFor"/>) for the images of a training document:
    /// one, or 1 + shots with few-shot documents mixed in.</summary>
    public static int WindowLength(ExperimentSettings settings, int numImageTokens, AblationTraining? training = null) =>
        TrainingArgs.WindowFor(settings.MaxTextLength, numImageTokens, 1 + (training ?? AblationTraining.Default).FewShotShots);

    /// <summary>CIDEr-D and BLEU-4 (×100) of greedy captions of <paramref name="images"/> (caption documents).</summary>
    public static Dictionary<string, double> ScoreCaptions(TaskEvaluator evaluator, IReadOnlyList<InterleavedDocument> images)
    {
        // a row caption of a 4×4 grid is about 60 tokens; leave room, but stop a model that never ends
        var scores = evaluator.EvaluateCaptions(images, maxNewTokens: 96).Scores;
        return new Dictionary<string, double> { [AblationMetrics.Caption] = 100 * scores["CIDEr"], [AblationMetrics.CaptionBleu4] = 100 * scores["Bleu_4"] };
    }

    /// <summary>The files in a run's folder with its fingerprint (written when it starts) and its learning curve so far
    /// (one JSON point per line, appended at each evaluation): what resuming a cut-off run reads.</summary>
    public const string FingerprintFile = "fingerprint.txt", CurveFile = "curve.jsonl";

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    // a line cut off by a kill mid-write ends the curve read back
    private static IEnumerable<CurvePoint> ReadCurve(string path)
    {
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path).Where(l => l.Trim().Length > 0))
        {
            CurvePoint? point;
            try { point = JsonSerializer.Deserialize<CurvePoint>(line); }
            catch (JsonException) { yield break; }
            if (point is null) yield break;
            yield return point;
        }
    }

    /// <summary>The file in a run's folder that holds its record once it has finished (with the run's fingerprint).</summary>
    public const string FinishedFile = "record.json";

    /// <summary>The record of a run that finished in <paramref name="folder"/> with the same fingerprint (what
    /// <see cref="ExperimentSettings.Resume"/> keeps), or null: no record, another fingerprint, or an unreadable file.</summary>
    public static RunRecord? FinishedRecord(AblationVariant variant, long seed, ExperimentSettings settings, string folder, AblationTraining? training = null, bool score = true)
    {
        string path = Path.Combine(folder, FinishedFile);
        if (!File.Exists(path)) return null;
        try
        {
            var finished = JsonSerializer.Deserialize<Finished>(File.ReadAllText(path), FinishedJson);
            return finished is not null && finished.Fingerprint == Fingerprint(variant, settings, seed, training, score) ? finished.Record with { Variant = variant.Name } : null;
        }
        catch (JsonException)
        {
            return null;   // a damaged record means the run trains again
        }
    }

    private sealed record Finished(string Fingerprint, RunRecord Record);

    private static readonly JsonSerializerOptions FinishedJson = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// What decides a run's outcome, as a SHA-256 of its canonical JSON: the variant's model config, the settings, the seed
    /// and the training mix. Every field of those records takes part, so a new setting can never be left out; only what
    /// cannot change the outcome is blanked: where results and runs go, whether to resume, the other seeds, how the rate
    /// was tuned (grid, tuning seed; the rate itself counts), and how many runs share the machine (a run in parallel equals the same run alone, tested). Two runs with equal fingerprints train
    /// and score the same (runs are deterministic per seed and thread count), so one may stand for the other.
    /// </summary>
    public static string Fingerprint(AblationVariant variant, ExperimentSettings settings, long seed, AblationTraining? training = null, bool score = true)
    {
        var config = variant.Configure(ModelPresets.Resolve(settings.Preset)).Validated();
        var outcome = settings with { OutFolder = "", RunsFolder = null, Resume = false, Seeds = [], Parallelism = 1 };
        var settingsNode = JsonSerializer.SerializeToNode(outcome, FinishedJson)!.AsObject();
        // how a rate was chosen does not change a run trained at it: the grid and the tuning seed stay out (which also
        // keeps the fingerprints of runs made before tuning existed), and an arm's own rate replaces the settings'
        settingsNode.Remove(nameof(ExperimentSettings.LearningRateGrid));
        settingsNode.Remove(nameof(ExperimentSettings.TuningSeed));
        if (variant.LearningRate is not null) settingsNode.Remove(nameof(ExperimentSettings.LearningRate));
        var canonical = new JsonObject
        {
            ["model"] = JsonNode.Parse(config.ToJson()),
            ["settings"] = settingsNode,
            ["seed"] = seed,
            ["training"] = JsonSerializer.SerializeToNode(training ?? AblationTraining.Default, FinishedJson),
        };
        if (variant.TextOnly) canonical["textOnly"] = true;   // same model, other data
        if (!score) canonical["scored"] = false;   // a tuning run: its record has no final metrics
        if (variant.LearningRate is double rate) canonical["learningRate"] = rate;   // only when the arm has its own, so older fingerprints hold
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString())));
    }

    /// <summary>The paper's columns from one VQA evaluation: per-question accuracies averaged over the question types of
    /// each column (not over the rounded per-type numbers).</summary>
    public static Dictionary<string, double> Score(VqaEvaluation evaluation)
    {
        double Mean(Func<string, bool> types)
        {
            var values = evaluation.Annotations.Where(a => types(a.QuestionType)).Select(a => evaluation.Result.PerQuestion[a.QuestionId]).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        bool Coarse(string type) => GridText.CoarseQuestionTypes.Contains(type);
        var scores = new Dictionary<string, double>
        {
            [AblationMetrics.Reading] = Mean(t => t == "glyph_at_cell"),
            [AblationMetrics.Attributes] = Mean(t => t != "glyph_at_cell" && !Coarse(t)),
            [AblationMetrics.Overall] = Mean(_ => true),
        };
        // only where coarse questions were asked: a result without them has no such column
        if (evaluation.Annotations.Any(a => Coarse(a.QuestionType))) scores[AblationMetrics.Coarse] = Mean(Coarse);
        return scores;
    }
}
