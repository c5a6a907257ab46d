using System.Diagnostics;
using System.Text.Json;
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
    /// <summary>Runs <paramref name="variant"/> with <paramref name="seed"/> in <paramref name="folder"/> (replaced).</summary>
    public static RunRecord Execute(AblationVariant variant, long seed, ExperimentSettings settings, string folder, bool multiImage = false)
    {
        var config = variant.Configure(ModelPresets.Resolve(settings.Preset)).Validated();
        var scene = new GlyphSceneOptions(ImageSize: config.Vision.ImageSize);
        var vqa = GridTasks.Create("glyph-vqa", new GridTaskOptions(seed, DataSplit.Train, scene) { QuestionsPerImage = settings.QuestionsPerImage });
        IDocumentSource train = multiImage
            ? new MixedDocumentSource("glyph-vqa+multi-image", [vqa, GridTasks.Create("glyph-multi-image", new GridTaskOptions(seed, DataSplit.Train, scene))], [0, 0, 1])
            : vqa;
        // one test set per seed (its own scenes), the same for every variant
        var eval = GridTasks.Create("glyph-vqa", new GridTaskOptions(seed, DataSplit.Validation, scene));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var options = new TaskRunOptions
        {
            Model = settings.Preset, Task = "glyph-vqa", OutFolder = folder, Seed = seed, BatchSize = settings.BatchSize,
            MaxLength = settings.MaxTextLength + 1 + config.NumImageTokens, EvalExamples = settings.CurveQuestions,
            Training = new TrainingConfig
            {
                Steps = settings.Steps, LearningRate = settings.LearningRate, WarmupSteps = settings.WarmupSteps,
                EvalEvery = settings.CurveEvery, CheckpointEvery = 0, KeepCheckpoints = 1, LogEvery = settings.Quick ? 1 : 25,
            },
        };
        var run = new TaskRun(options, config, train, eval);
        var curve = new List<CurvePoint>();
        var wall = Stopwatch.StartNew();
        run.Trainer.Evaluated += (step, metrics) =>
            curve.Add(new CurvePoint(step, wall.Elapsed.TotalSeconds - run.Trainer.EvaluationTime.TotalSeconds, 100 * metrics["accuracy"]));
        var result = run.Run();
        double trainSeconds = wall.Elapsed.TotalSeconds - run.Trainer.EvaluationTime.TotalSeconds;

        var evaluator = new TaskEvaluator(run.Model, run.Tokenizer);
        var metrics = Score(evaluator.EvaluateVqa(eval.Take(settings.TestQuestions).ToList()));
        if (multiImage)
        {
            var multi = GridTasks.Create("glyph-multi-image", new GridTaskOptions(seed, DataSplit.Validation, scene));
            metrics[AblationMetrics.MultiImage] = evaluator.EvaluateVqa(multi.Take(Math.Max(1, settings.TestQuestions / 2)).ToList()).Result.Overall;
        }
        long parameters = run.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        double tokensPerSecond = result.History.Count == 0 ? 0 : result.History.Average(p => p.TokensPerSecond);
        var record = new RunRecord(variant.Name, seed, result.Step, trainSeconds, tokensPerSecond, parameters, metrics, curve);
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, FinishedFile),
            JsonSerializer.Serialize(new Finished(Fingerprint(variant, settings, seed, multiImage), record), FinishedJson));
        return record;
    }

    /// <summary>The file in a run's folder that holds its record once it has finished (with the run's fingerprint).</summary>
    public const string FinishedFile = "record.json";

    /// <summary>The record of a run that finished in <paramref name="folder"/> with the same fingerprint (what
    /// <see cref="ExperimentSettings.Resume"/> keeps), or null: no record, another fingerprint, or an unreadable file.</summary>
    public static RunRecord? FinishedRecord(AblationVariant variant, long seed, ExperimentSettings settings, string folder, bool multiImage = false)
    {
        string path = Path.Combine(folder, FinishedFile);
        if (!File.Exists(path)) return null;
        try
        {
            var finished = JsonSerializer.Deserialize<Finished>(File.ReadAllText(path), FinishedJson);
            return finished is not null && finished.Fingerprint == Fingerprint(variant, settings, seed, multiImage) ? finished.Record with { Variant = variant.Name } : null;
        }
        catch (JsonException)
        {
            return null;   // a damaged record means the run trains again
        }
    }

    private sealed record Finished(string Fingerprint, RunRecord Record);

    private static readonly JsonSerializerOptions FinishedJson = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// What decides a run's outcome: the variant's model config, every training and evaluation setting, the seed and the
    /// training mix. Two runs with equal fingerprints train and score the same (runs are deterministic per seed), so one
    /// may stand for the other. Output folders and the machine are not part of it.
    /// </summary>
    public static string Fingerprint(AblationVariant variant, ExperimentSettings settings, long seed, bool multiImage)
    {
        var config = variant.Configure(ModelPresets.Resolve(settings.Preset)).Validated();
        var s = settings;
        return string.Join("\n", config.ToJson(), FormattableString.Invariant(
            $"{s.Quick}|{s.Preset}|{s.Steps}|{s.LearningRate:R}|{s.WarmupSteps}|{s.BatchSize}|{s.MaxTextLength}|{s.QuestionsPerImage}|{s.TestQuestions}|{s.CurveEvery}|{s.CurveQuestions}|{s.Parallelism}|{seed}|{multiImage}"));
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
        return new Dictionary<string, double>
        {
            [AblationMetrics.Reading] = Mean(t => t == "glyph_at_cell"),
            [AblationMetrics.Attributes] = Mean(t => t != "glyph_at_cell"),
            [AblationMetrics.Overall] = Mean(_ => true),
        };
    }
}
