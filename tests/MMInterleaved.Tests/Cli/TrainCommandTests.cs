using System.Text.Json;
using MMInterleaved.Cli;
using MMInterleaved.Data;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using Spectre.Console;
using Xunit;

namespace MMInterleaved.Tests.Cli;

/// <summary>`mmi train`, `mmi eval` and `mmi generate` end to end on the tiny preset.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mmi-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static (int Code, string Output, string Error) Mmi(params string[] args) => CliRunner.Mmi(args);

    [Fact]
    public void Train_then_eval_then_generate_on_a_run_folder()
    {
        string run = Path.Combine(folder, "run");
        var train = Mmi("train", "--preset", "tiny", "--task", "glyph-vqa", "--steps", "2", "--batch-size", "2", "--max-length", "48",
            "--eval-examples", "4", "--warmup", "1", "--out", run);
        Assert.True(train.Code == 0, train.Output + train.Error);
        Assert.True(File.Exists(Path.Combine(run, "config.json")));
        Assert.Contains("accuracy", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));

        string scores = Path.Combine(folder, "scores.json");
        var eval = Mmi("eval", "--run", run, "--examples", "4", "--json", scores);
        Assert.True(eval.Code == 0, eval.Output + eval.Error);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores))!;
        Assert.InRange(metrics["overall"], 0, 100);
        Assert.Contains(metrics.Keys, k => k.StartsWith("question_type/", StringComparison.Ordinal));

        // few-shot with retrieval, official files written; `mmi score vqa` on them gives the same overall accuracy
        string official = Path.Combine(folder, "official");
        var fewShot = Mmi("eval", "--run", run, "--examples", "4", "--shots", "2", "--selection", "Retrieval", "--out", official, "--json", scores);
        Assert.True(fewShot.Code == 0, fewShot.Output + fewShot.Error);
        double overall = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores))!["overall"];
        var rescored = Mmi("score", "vqa", "--predictions", Path.Combine(official, "vqa_predictions.json"),
            "--questions", Path.Combine(official, "vqa_questions.json"), "--annotations", Path.Combine(official, "vqa_annotations.json"));
        Assert.True(rescored.Code == 0, rescored.Output + rescored.Error);
        Assert.Equal(overall, JsonDocument.Parse(rescored.Output).RootElement.GetProperty("overall").GetDouble());

        string prompts = Path.Combine(folder, "prompts.jsonl");
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 3, Split: DataSplit.Test, Scene: new GlyphSceneOptions(ImageSize: 32)));
        DocumentFile.Write(prompts, task.Take(2).ToList());
        var generate = Mmi("generate", "--run", run, "--prompts", prompts, "--max-new-tokens", "3");
        Assert.True(generate.Code == 0, generate.Output + generate.Error);
        Assert.Equal(2, generate.Output.Split('\n').Count(l => l.Contains(':')));
    }

    [Fact]
    public void Bad_task_and_missing_run_folders_get_clear_errors()
    {
        var task = Mmi("train", "--preset", "tiny", "--task", "glyph-nope", "--steps", "1", "--out", Path.Combine(folder, "x"));
        Assert.Equal(2, task.Code);
        Assert.Contains("glyph-nope", task.Error);
        Assert.Contains("glyph-vqa", task.Error);
        var run = Mmi("eval", "--run", Path.Combine(folder, "absent"));
        Assert.Equal(2, run.Code);
        Assert.Contains("not a run folder", run.Error);
    }
}
