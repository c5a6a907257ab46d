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
    /// as <paramref name="training"/> says (default: VQA only).</summary>
    public static RunRecord Execute(AblationVariant variant, long seed, ExperimentSettings settings, string folder, AblationTraining? training = null)
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
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var args = new TrainingArgs
        {
            Model = settings.Preset, Task = train.Name, Seed = seed, BatchSize = settings.BatchSize, QuestionsPerImage = settings.QuestionsPerImage,
            // the committed encoder is the preset's own (null); another objective's is named
            PretrainedEncoder = settings.EncoderObjective == EncoderObjective.CellLabels ? null : ModelPresets.PretrainedEncoderFor(settings.Preset, config, settings.EncoderObjective),
            MaxLength = WindowLength(settings, config.NumImageTokens, training), EvalExamples = settings.CurveQuestions,
            Optimization = new TrainingConfig
            {
                Steps = settings.Steps, LearningRate = variant.LearningRate ?? settings.LearningRate, WarmupSteps = settings.WarmupSteps,
                EvalEvery = settings.CurveEvery, CheckpointEvery = 0, KeepCheckpoints = 1, LogEvery = settings.Quick ? 1 : 25,
            },
        };
        var run = TrainingRun.Create(folder, args, config, train, eval);
        var evaluator = run.Evaluator;
        if (captions)
        {
            // the learning curve of a caption run is CIDEr on a few held-out images
            var curveImages = eval.Take(settings.CurveCaptions).ToList();
            run.Trainer.Evaluate = _ => new Dictionary<string, double> { [CurveMetric] = ScoreCaptions(evaluator, curveImages)[AblationMetrics.Caption] };
        }
        var curve = new List<CurvePoint>();
        var wall = Stopwatch.StartNew();
        run.Trainer.Evaluated += (step, metrics) =>
            curve.Add(new CurvePoint(step, wall.Elapsed.TotalSeconds - run.Trainer.EvaluationTime.TotalSeconds, metrics[CurveMetric]));
        var result = run.Run();
        double trainSeconds = wall.Elapsed.TotalSeconds - run.Trainer.EvaluationTime.TotalSeconds;

        var metrics = captions
            ? ScoreCaptions(evaluator, test.Take(settings.TestCaptions).ToList())
            : Score(evaluator.EvaluateVqa(test.Take(settings.TestQuestions).ToList()));
        if (multiImage)
        {
            var multi = Seen(GridTasks.Create("glyph-multi-image", Options(settings.ScoreSplit)));
            metrics[AblationMetrics.MultiImage] = evaluator.EvaluateVqa(multi.Take(Math.Max(1, settings.TestQuestions / 2)).ToList()).Result.Overall;
        }
        long parameters = run.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        double tokensPerSecond = result.History.Count == 0 ? 0 : result.History.Average(p => p.TokensPerSecond);
        var record = new RunRecord(variant.Name, seed, result.Step, trainSeconds, tokensPerSecond, parameters, metrics, curve);
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, FinishedFile),
            JsonSerializer.Serialize(new Finished(Fingerprint(variant, settings, seed, training), record), FinishedJson));
        return record;
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

    /// <summary>The file in a run's folder that holds its record once it has finished (with the run's fingerprint).</summary>
    public const string FinishedFile = "record.json";

    /// <summary>The record of a run that finished in <paramref name="folder"/> with the same fingerprint (what
    /// <see cref="ExperimentSettings.Resume"/> keeps), or null: no record, another fingerprint, or an unreadable file.</summary>
    public static RunRecord? FinishedRecord(AblationVariant variant, long seed, ExperimentSettings settings, string folder, AblationTraining? training = null)
    {
        string path = Path.Combine(folder, FinishedFile);
        if (!File.Exists(path)) return null;
        try
        {
            var finished = JsonSerializer.Deserialize<Finished>(File.ReadAllText(path), FinishedJson);
            return finished is not null && finished.Fingerprint == Fingerprint(variant, settings, seed, training) ? finished.Record with { Variant = variant.Name } : null;
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
    /// cannot change the outcome is blanked: where results and runs go, whether to resume, the other seeds, and how many
    /// runs share the machine (a run in parallel equals the same run alone, tested). Two runs with equal fingerprints train
    /// and score the same (runs are deterministic per seed and thread count), so one may stand for the other.
    /// </summary>
    public static string Fingerprint(AblationVariant variant, ExperimentSettings settings, long seed, AblationTraining? training = null)
    {
        var config = variant.Configure(ModelPresets.Resolve(settings.Preset)).Validated();
        var outcome = settings with { OutFolder = "", RunsFolder = null, Resume = false, Seeds = [], Parallelism = 1 };
        var canonical = new JsonObject
        {
            ["model"] = JsonNode.Parse(config.ToJson()),
            ["settings"] = JsonSerializer.SerializeToNode(outcome, FinishedJson),
            ["seed"] = seed,
            ["training"] = JsonSerializer.SerializeToNode(training ?? AblationTraining.Default, FinishedJson),
        };
        if (variant.TextOnly) canonical["textOnly"] = true;   // same model, other data
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
