using MMInterleaved.Training;
using Xunit;

namespace MMInterleaved.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TaskRunTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mmi-taskrun-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private TaskRunOptions Options(int steps, bool resume = false) => new()
    {
        Model = "tiny", Task = "glyph-vqa", OutFolder = folder, BatchSize = 2, MaxLength = 48, EvalExamples = 8, Resume = resume,
        Training = new TrainingConfig { Steps = steps, WarmupSteps = 1, LearningRate = 1e-3, LogEvery = 1, CheckpointEvery = 2 },
    };

    [Fact]
    public void A_tiny_run_trains_evaluates_and_leaves_a_complete_run_folder()
    {
        var run = new TaskRun(Options(3));
        var result = run.Run();
        Assert.Equal(3, result.History.Count);
        Assert.All(result.History, p => Assert.True(double.IsFinite(p.Loss)));
        foreach (var file in new[] { "tokenizer.json", "metrics.jsonl", "latest" }) Assert.True(File.Exists(Path.Combine(folder, file)), file);
        string checkpoint = result.Checkpoint!;
        foreach (var file in new[] { "model.safetensors", "optimizer.bin", "trainer.json", "config.json", "tokenizer.json" })
            Assert.True(File.Exists(Path.Combine(checkpoint, file)), file);
        var metrics = run.Evaluate(8);
        Assert.InRange(metrics["accuracy"], 0.0, 1.0);
        Assert.Contains(metrics.Keys, k => k.StartsWith("accuracy/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resumed_task_run_continues_with_the_same_losses()
    {
        var full = new TaskRun(Options(4)).Run();
        // keep only the step-2 checkpoint, then resume in the same folder
        Directory.Delete(Path.Combine(folder, "checkpoint-000004"), recursive: true);
        File.WriteAllText(Path.Combine(folder, "latest"), "checkpoint-000002");
        var resumed = new TaskRun(Options(4, resume: true)).Run();
        Assert.Equal(full.History.Skip(2).Select(p => p.Loss), resumed.History.Select(p => p.Loss));
    }

    [Fact]
    public void A_run_trains_on_a_document_file_and_holds_out_its_last_tenth()
    {
        string file = Path.Combine(folder, "docs", "train.jsonl");
        var task = MMInterleaved.Data.Tasks.GridTasks.Create("glyph-vqa", new MMInterleaved.Data.Tasks.GridTaskOptions(Seed: 4,
            Scene: new MMInterleaved.Data.Glyphs.GlyphSceneOptions(ImageSize: 32)));
        MMInterleaved.Data.Files.DocumentFile.Write(file, MMInterleaved.Data.DocumentSources.Take(task, 20).ToList());
        var run = new TaskRun(Options(2) with { DataFile = file });
        Assert.Equal(18, run.TrainSource.Count);
        Assert.Equal(2, run.EvalSource.Count);
        var result = run.Run();
        Assert.All(result.History, p => Assert.True(double.IsFinite(p.Loss)));
    }

    [Theory]
    [InlineData("red", "red")]
    [InlineData(" red . question : what is in the cell", "red")]
    [InlineData("7.", "7")]
    [InlineData("", "")]
    public void The_answer_is_the_generation_before_its_first_period(string generated, string answer) =>
        Assert.Equal(answer, MMInterleaved.Evaluation.TaskEvaluator.FirstSentence(generated));
}
