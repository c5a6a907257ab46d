using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Evaluation;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Training;

namespace MMInterleaved.Experiments;

/// <summary>
/// Figure 6 (left) of the paper: accuracy against the number of in-context examples, with and without MMFS. It evaluates
/// a finished experiment's trained runs, each seed, with 0, 2, 4 and 8 random shots from the training split placed before
/// the query image (reference template), on held-out questions of the run's seed (shot counts that would exceed the
/// model's MaxImagesPerSequence are left out). Sources: the token-efficiency runs (MMFS with few tokens, no MMFS with 8×
/// the tokens; trained on single-image documents, so shots test in-context use of earlier images rather than a trained
/// skill) and the in-context-training runs (MMFS on and off at 8 tokens, 2-shot documents mixed into training). The
/// text-only arm is left out: it never sees an image, so image shots do not apply to it.
/// </summary>
public static class FewShotExperiment
{
    /// <summary>Command-line name.</summary>
    public const string Id = "few-shot";

    /// <summary>Shot counts evaluated.</summary>
    public static IReadOnlyList<int> ShotCounts { get; } = [0, 2, 4, 8];

    /// <summary>Evaluates the runs of <paramref name="source"/> (a finished experiment) found under
    /// <paramref name="runsFolder"/>; <paramref name="progress"/> hears each point.</summary>
    public static FewShotResult Run(ExperimentResult source, string runsFolder, int questions, string command = "", Action<FewShotPoint>? progress = null)
    {
        var points = new List<FewShotPoint>();
        var experiment = AblationCatalog.All.FirstOrDefault(e => e.Id == source.Id)
            ?? throw new ArgumentException($"few-shot evaluates the runs of a catalog experiment; {source.Id} is not one ({string.Join(", ", AblationCatalog.All.Select(e => e.Id))}).");
        foreach (var run in source.Runs)
        {
            if (IsTextOnly(experiment, run)) continue;   // shots are images: a model trained without them has no in-context claim to test
            string folder = RunFolder(runsFolder, source.Id, run);
            string checkpoint = new CheckpointStore(folder).Latest
                ?? throw new DirectoryNotFoundException($"no checkpoint of {run.Variant} seed {run.Seed} in {folder}; run `mmi reproduce {source.Id}` on this machine first.");
            // the folder must still hold the run the results describe (not, say, a later run with other settings)
            var variant = experiment.Variants.FirstOrDefault(v => v.Name == run.Variant)
                ?? throw new InvalidDataException($"{source.Id}.json names variant {run.Variant}, which {source.Id} does not have ({string.Join(", ", experiment.Variants.Select(v => v.Name))}).");
            if (AblationRun.FinishedRecord(variant, run.Seed, source.Settings, folder, experiment.Training) is null)
                throw new InvalidDataException($"{Path.Combine(folder, AblationRun.FinishedFile)} does not record the {run.Variant} seed {run.Seed} run of " +
                    $"{source.Id}.json (missing, or another config, settings or seed trained there since); re-train it with `mmi reproduce {source.Id} --resume` and the same --out.");
            var pipeline = MMInterleavedPipeline.FromPretrained(checkpoint);
            var model = pipeline.Model;
            var scene = new GlyphSceneOptions(ImageSize: model.Config.Vision.ImageSize);
            // queries and shots as the source experiment asked them (its score split, its share of coarse questions)
            var mix = new VqaQuestionMix().WithCoarse(source.Settings.CoarseQuestionShare);
            var queries = GridTasks.Create("glyph-vqa", new GridTaskOptions(run.Seed, source.Settings.ScoreSplit, scene) { Questions = mix }).Take(questions).ToList();
            var pool = GridTasks.Create("glyph-vqa", new GridTaskOptions(run.Seed, DataSplit.Train, scene) { Questions = mix });
            var evaluator = new TaskEvaluator(pipeline);
            // k shots and the query are k + 1 images; MMFS's relative image index must stay below MaxImagesPerSequence
            foreach (int shots in ShotCounts.Where(k => k + 1 < model.Config.CrossAttention.MaxImagesPerSequence))
            {
                var evaluation = evaluator.EvaluateVqa(queries, pool, new FewShotOptions { Shots = shots, Seed = run.Seed });
                var columns = AblationRun.Score(evaluation);
                var point = new FewShotPoint(run.Variant, run.Seed, shots, columns[AblationMetrics.Overall], columns[AblationMetrics.Reading], columns[AblationMetrics.Attributes]);
                points.Add(point);
                progress?.Invoke(point);
            }
            model.Dispose();
        }
        var labels = source.Summary.ToDictionary(s => s.Variant, s => s.Label);
        return new FewShotResult(command, DateTime.UtcNow, source.Id, questions, labels, points) { Split = source.Settings.ScoreSplit };
    }

    private static bool IsTextOnly(AblationExperiment experiment, RunRecord run) =>
        experiment.Variants.FirstOrDefault(v => v.Name == run.Variant)?.TextOnly == true;

    // A run reused from another experiment lives in that experiment's folder (ReusedFrom is "experiment/variant").
    private static string RunFolder(string runsFolder, string experimentId, RunRecord run)
    {
        var (owner, variant) = run.ReusedFrom?.Split('/') is [var e, var v] ? (e, v) : (experimentId, run.Variant);
        return Path.Combine(runsFolder, owner, $"{variant}-seed{run.Seed}");
    }
}
