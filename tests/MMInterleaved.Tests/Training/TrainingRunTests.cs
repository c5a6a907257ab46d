using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Training;
using Xunit;

namespace MMInterleaved.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TrainingRunTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mmi-trainingrun-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static TrainingArgs Args(int steps) => new()
    {
        Model = "tiny", Task = "glyph-vqa", BatchSize = 2, MaxLength = 48, EvalExamples = 8, QuestionsPerImage = 2,
        Optimization = new TrainingConfig { Steps = steps, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 2 },
    };

    private string Sub(string name) => Path.Combine(folder, name);

    [Fact]
    public void A_tiny_run_trains_evaluates_and_leaves_a_pipeline_folder()
    {
        var run = TrainingRun.Create(Sub("run"), Args(3));
        var result = run.Run();
        Assert.Equal(3, result.History.Count);
        Assert.All(result.History, p => Assert.True(double.IsFinite(p.Loss)));
        foreach (var file in new[] { "config.json", "tokenizer.json", "model.safetensors", "training_args.json", "metrics.jsonl", "latest" })
            Assert.True(File.Exists(Path.Combine(run.Folder, file)), file);
        foreach (var file in new[] { "model.safetensors", "optimizer.bin", "trainer.json", "config.json", "tokenizer.json" })
            Assert.True(File.Exists(Path.Combine(result.Checkpoint!, file)), file);
        // training-time evaluation is the official VQA accuracy, in percent, with per-type columns
        var metrics = run.Evaluate(8);
        Assert.InRange(metrics["overall"], 0.0, 100.0);
        Assert.Contains(metrics.Keys, k => k.StartsWith("question_type/", StringComparison.Ordinal));
        Assert.Contains("\"eval\"", File.ReadAllText(Path.Combine(run.Folder, "metrics.jsonl")));

        // the finished folder is a pipeline: the same weights, the tokenizer, and an architecture without file paths
        var opened = MMInterleavedPipeline.FromPretrained(run.Folder);
        foreach (var (key, value) in run.Model.state_dict())
            Assert.True(value.eq(opened.Model.state_dict()[key]).all().item<bool>(), key);
        string config = File.ReadAllText(Path.Combine(run.Folder, "config.json"));
        Assert.DoesNotContain("path", config, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("learning_rate", config, StringComparison.Ordinal);
        var args = TrainingArgs.Load(Path.Combine(run.Folder, "training_args.json"));
        Assert.Equal(Args(3).Optimization.Steps, args.Optimization.Steps);
        Assert.Equal("none", args.PretrainedEncoder);   // tiny trains its encoder
    }

    [Fact]
    public void A_cancelled_run_resumed_from_its_folder_alone_ends_with_byte_identical_weights()
    {
        using var single = new SingleThread();
        TrainingRun.Create(Sub("full"), Args(6)).Run();

        var interrupted = TrainingRun.Create(Sub("cut"), Args(6));
        using var cancel = new CancellationTokenSource();
        interrupted.Trainer.Progress += p => { if (p.Step == 3) cancel.Cancel(); };
        var first = interrupted.Run(cancel.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(3, first.Step);
        Assert.False(File.Exists(Path.Combine(Sub("cut"), "model.safetensors")));   // no final weights before the end
        // a checkpoint write killed half-way leaves a temporary folder behind; resuming removes it
        Directory.CreateDirectory(Path.Combine(Sub("cut"), "checkpoint-000004.tmp-deadbeef"));

        var resumed = TrainingRun.Resume(Sub("cut"));
        Assert.Equal((Args(6) with { PretrainedEncoder = "none" }).ToJson(), resumed.Args.ToJson());
        var rest = resumed.Run();
        Assert.Equal(6, rest.Step);
        Assert.Empty(Directory.GetDirectories(Sub("cut"), "*.tmp-*"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Sub("full"), "model.safetensors")), File.ReadAllBytes(Path.Combine(Sub("cut"), "model.safetensors")));
    }

    [Fact]
    public void A_frozen_encoder_that_nothing_loads_is_refused_unless_none_is_asked_for()
    {
        string config = Sub("frozen.config.json");
        File.WriteAllText(config, (ModelPresets.Tiny with { FreezeVisionEncoder = true }).ToJson());
        var refused = Assert.Throws<ArgumentException>(() => TrainingRun.Create(Sub("frozen"), Args(1) with { Model = config }));
        Assert.Contains("freeze_vision_encoder", refused.Message);
        Assert.Contains("--encoder none", refused.Message);
        Assert.False(Directory.Exists(Sub("frozen")));
        var asked = TrainingRun.Create(Sub("frozen"), Args(1) with { Model = config, PretrainedEncoder = "none" });
        Assert.Equal("none", asked.Args.PretrainedEncoder);
    }

    [Fact]
    public void A_folder_holding_a_run_is_not_trained_over_and_resume_only_extends()
    {
        var run = TrainingRun.Create(Sub("run"), Args(2));
        run.Run();
        var again = Assert.Throws<InvalidOperationException>(() => TrainingRun.Create(Sub("run"), Args(2)));
        Assert.Contains("--resume", again.Message);
        var shorter = Assert.Throws<ArgumentException>(() => TrainingRun.Resume(Sub("run"), steps: 1));
        Assert.Contains("extended", shorter.Message);
        var longer = TrainingRun.Resume(Sub("run"), steps: 3);
        Assert.Equal(3, longer.Run().Step);
        Assert.Equal(3, TrainingArgs.Load(Path.Combine(Sub("run"), "training_args.json")).Optimization.Steps);
    }

    [Fact]
    public void A_run_trains_on_a_document_file_holds_out_its_last_tenth_and_builds_its_vocabulary_from_training_text_only()
    {
        string file = Path.Combine(folder, "docs", "train.jsonl");
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 4, Scene: new GlyphSceneOptions(ImageSize: 32)));
        var documents = DocumentSources.Take(task, 20).ToList();
        // a word only the held-out tenth uses must not reach the vocabulary
        documents[^1] = documents[^1] with { Segments = [.. documents[^1].Segments, new TextSegment(" zebra", Target: true)] };
        DocumentFile.Write(file, documents);
        var run = TrainingRun.Create(Sub("file"), Args(2) with { DataFile = file });
        Assert.Equal(18, run.TrainSource.Count);
        Assert.Equal(2, run.EvalSource.Count);
        var words = ((WordTokenizer)run.Pipeline.Tokenizer).Words;
        Assert.DoesNotContain("zebra", words);
        Assert.Contains("what", words);
        Assert.All(run.Run().History, p => Assert.True(double.IsFinite(p.Loss)));
    }

    [Fact]
    public void Batches_without_targets_are_skipped_and_counted_instead_of_failing()
    {
        // a window of 10 tokens holds <s>, the image block and the start of the question: the answers and </s> are cut off,
        // so no batch has a target (before, backward failed with "element 0 of tensors does not require grad")
        var run = TrainingRun.Create(Sub("empty"), Args(3) with { MaxLength = 10, EvalExamples = 0 });
        var result = run.Run();
        Assert.Equal(3, result.Step);
        Assert.Equal(3, result.EmptyBatches);
        Assert.Equal(3, result.SkippedSteps);
        var logged = File.ReadLines(Path.Combine(run.Folder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("empty_batches", out _)).Sum(e => e.GetProperty("empty_batches").GetInt32());
        Assert.Equal(3, logged);
    }

    [Theory]
    [InlineData("red", "red")]
    [InlineData(" red . question : what is in the cell", "red")]
    [InlineData("7.", "7")]
    [InlineData("", "")]
    public void The_answer_is_the_generation_before_its_first_period(string generated, string answer) =>
        Assert.Equal(answer, MMInterleaved.Evaluation.TaskEvaluator.FirstSentence(generated));
}
