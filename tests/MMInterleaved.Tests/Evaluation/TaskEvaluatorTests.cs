using MMInterleaved.Data;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Evaluation;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Tests.Data;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public sealed class TaskEvaluatorTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static (TaskEvaluator Evaluator, WordTokenizer Tokenizer, IDocumentSource Train, IDocumentSource Eval) Build(string task)
    {
        var scene = new MMInterleaved.Data.Glyphs.GlyphSceneOptions(ImageSize: 32, GridSide: 2);
        var train = GridTasks.Create(task, new GridTaskOptions(1, DataSplit.Train, scene));
        var eval = GridTasks.Create(task, new GridTaskOptions(1, DataSplit.Validation, scene));
        var corpus = train.Take(50).Concat(eval.Take(50)).SelectMany(d => d.Segments.OfType<TextSegment>().Select(t => t.Text)
            .Concat(d.Meta("captions") is string c ? JsonText.ParseArray(c) : []));
        var tokenizer = WordTokenizer.FromCorpus(corpus, ModelPresets.Tiny.Decoder.VocabSize, keepMostFrequent: true);
        manual_seed(3);
        return (new TaskEvaluator(new MMInterleavedPipeline(new MMInterleavedModel(ModelPresets.Tiny), tokenizer), batchSize: 4), tokenizer, train, eval);
    }

    [Theory]
    [InlineData("glyph-vqa", TaskMetric.Vqa)]
    [InlineData("glyph-caption", TaskMetric.Captions)]
    [InlineData("glyph-grounding", TaskMetric.Grounding)]
    public void Each_task_is_scored_with_the_metric_its_metadata_calls_for(string task, TaskMetric metric)
    {
        var scene = new MMInterleaved.Data.Glyphs.GlyphSceneOptions(ImageSize: 32, GridSide: 2);
        var queries = GridTasks.Create(task, new GridTaskOptions(1, DataSplit.Validation, scene)).Take(2).ToList();
        Assert.Equal(metric, TaskEvaluator.MetricOf(queries));
        Assert.Null(TaskEvaluator.MetricOf([]));
        Assert.Null(TaskEvaluator.MetricOf([queries[0] with { Metadata = new Dictionary<string, string>() }]));
    }

    [Fact]
    public void Vqa_accuracy_is_the_official_score_of_the_answers_before_the_first_period_and_rescoring_the_written_files_agrees()
    {
        var (evaluator, _, _, eval) = Build("glyph-vqa");
        var queries = eval.Take(10).ToList();
        var progress = new List<int>();
        evaluator.Progress += (done, total) => { Assert.Equal(10, total); progress.Add(done); };
        var result = evaluator.EvaluateVqa(queries, maxNewTokens: 3);
        Assert.Equal([4, 8, 10], progress);
        Assert.Equal(10, result.Predictions.Count);
        // ten identical human answers: no normalisation (the humans agree), a question scores 100 on an exact match, else 0
        int right = 0;
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(TaskEvaluator.FirstSentence(result.Predictions[i].Generated), result.Predictions[i].Answer);
            bool match = result.Predictions[i].Answer == queries[i].Meta("answer");
            Assert.Equal(match ? 100.0 : 0.0, result.Result.PerQuestion[i]);
            right += match ? 1 : 0;
        }
        Assert.Equal(PythonRounding.Round(100.0 * right / 10, 2), result.Result.Overall);
        result.Write(folder.Path);
        var rescored = VqaFiles.Evaluate(Path.Combine(folder.Path, "vqa_questions.json"), Path.Combine(folder.Path, "vqa_annotations.json"),
            Path.Combine(folder.Path, "vqa_predictions.json"));
        Assert.Equal(result.Result.Overall, rescored.Overall);
        Assert.True(File.Exists(Path.Combine(folder.Path, "vqa_scores.json")));
    }

    [Fact]
    public void Random_shots_are_seeded_per_query_and_distinct_and_retrieval_puts_the_most_similar_image_last()
    {
        var (evaluator, _, train, eval) = Build("glyph-vqa");
        var queries = eval.Take(3).ToList();
        var pool = train.Take(20).ToList();
        var options = new FewShotOptions { Shots = 4, Seed = 7 };
        var a = evaluator.ChooseShots(queries, pool, options);
        var b = evaluator.ChooseShots(queries.Take(2).ToList(), pool, options);
        Assert.Equal(a[0], b[0]);                       // a query's shots do not depend on the other queries
        Assert.All(a, s => Assert.Equal(4, s.Distinct().Count()));
        Assert.NotEqual(a[0], a[1]);
        Assert.NotEqual(a[0], evaluator.ChooseShots(queries, pool, options with { Seed = 8 })[0]);

        // the query's own image placed in the pool is the most similar: it comes last
        var withQueries = pool.Take(10).Concat(queries).Concat(pool.Skip(10)).ToList();
        var retrieved = evaluator.ChooseShots(queries, withQueries, options with { Selection = ShotSelection.Retrieval });
        for (int i = 0; i < queries.Count; i++) Assert.Equal(10 + i, retrieved[i][^1]);
    }

    [Fact]
    public void Few_shot_prompts_hold_the_shot_images_and_captions_are_scored_by_the_toolkit_metrics()
    {
        var (evaluator, _, train, eval) = Build("glyph-caption");
        var queries = eval.Take(4).ToList();
        var zero = evaluator.EvaluateCaptions(queries, maxNewTokens: 6);
        Assert.Equal(CaptionScorer.MetricNames.OrderBy(x => x), zero.Scores.Keys.OrderBy(x => x));
        var expected = CaptionScorer.Score(zero.References, zero.Predictions.ToDictionary(p => p.ImageId, p => p.Caption));
        Assert.Equal(expected["CIDEr"], zero.Scores["CIDEr"]);
        var two = evaluator.EvaluateCaptions(queries, train, new FewShotOptions { Shots = 2 }, maxNewTokens: 6);
        Assert.Equal(4, two.Predictions.Count);
        two.Write(folder.Path);
        var rescored = CocoCaptionFiles.Score(Path.Combine(folder.Path, "caption_references.json"), Path.Combine(folder.Path, "caption_predictions.json"));
        Assert.Equal(two.Scores["CIDEr"], rescored["CIDEr"], 12);
        var missingPool = Assert.Throws<ArgumentException>(() => evaluator.EvaluateCaptions(queries, null, new FewShotOptions { Shots = 2 }));
        Assert.Contains("shot pool", missingPool.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => evaluator.EvaluateCaptions(queries, train, new FewShotOptions { Shots = 8 }));
        Assert.Contains("max_images_per_sequence", tooMany.Message);   // tiny: 8 − 1 images at most
    }

    [Fact]
    public void Grounding_scores_the_generated_box_against_the_documents_pixel_box()
    {
        var (evaluator, _, _, eval) = Build("glyph-grounding");
        var queries = eval.Take(4).ToList();
        var result = evaluator.EvaluateGrounding(queries, maxNewTokens: 4);
        Assert.Equal(4, result.Result.Total);
        for (int i = 0; i < 4; i++)
        {
            var box = System.Text.Json.JsonSerializer.Deserialize<float[]>(queries[i].Meta("box")!)!;
            Assert.Equal(new ImageBox(box[0], box[1], box[2], box[3]), result.Samples[i].Truth);
            Assert.Equal(32, result.Samples[i].Width);
        }
        Assert.Equal(result.Samples.Count(s => !GroundingBox.TryFind(s.Prediction, out _)), result.Result.Malformed);
        Assert.Equal(GroundingAccuracy.Evaluate(result.Samples), result.Result);
        result.Write(folder.Path);
        Assert.True(File.Exists(Path.Combine(folder.Path, "grounding_scores.json")));
    }
}
