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
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "training_args.json" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Contains("\"overall\"", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));

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
        var generate = Mmi("generate", "--run", run, "--prompts", prompts, "--max-new-tokens", "3", "--out", Path.Combine(folder, "generated"));
        Assert.True(generate.Code == 0, generate.Output + generate.Error);
        Assert.Equal(2, generate.Output.Split('\n').Count(l => l.StartsWith("glyph-vqa/test/", StringComparison.Ordinal)));
        Assert.Contains("0 images written", generate.Output);
        var force = Mmi("generate", "--run", run, "--prompts", prompts, "--force-image", "--out", Path.Combine(folder, "generated"));
        Assert.Equal(2, force.Code);
        Assert.Contains("no image decoder", force.Error);
    }

    [Fact]
    public void Text_to_image_trains_the_joint_loss_then_generates_a_page_and_is_scored_cell_by_cell()
    {
        string run = Path.Combine(folder, "t2i");
        var train = Mmi("train", "--preset", "tiny", "--task", "glyph-text-to-image", "--grid", "3", "--steps", "2", "--batch-size", "2",
            "--eval-examples", "0", "--warmup", "1", "--out", run);
        Assert.True(train.Code == 0, train.Output + train.Error);
        Assert.Contains("\"image_decoder\"", File.ReadAllText(Path.Combine(run, "config.json")));

        string prompts = Path.Combine(folder, "captions.jsonl");
        var task = GridTasks.Create("glyph-text-to-image", new GridTaskOptions(Seed: 3, Split: DataSplit.Test, Scene: new GlyphSceneOptions(ImageSize: 32, GridSide: 3)));
        DocumentFile.Write(prompts, task.Take(2).Select(d => d with { Segments = d.Segments.Take(1).ToList() }).ToList());
        string pages = Path.Combine(folder, "pages");
        var generate = Mmi("generate", "--run", run, "--prompts", prompts, "--force-image", "--scheduler", "ddim", "--sampling-steps", "2", "--out", pages);
        Assert.True(generate.Code == 0, generate.Output + generate.Error);
        Assert.Contains("2 images written", generate.Output);
        Assert.True(File.Exists(Path.Combine(pages, "index.html")) && File.Exists(Path.Combine(pages, "1-1.png")));

        string scores = Path.Combine(folder, "t2i-scores.json");
        var eval = Mmi("eval", "--run", run, "--examples", "3", "--split", "Test", "--sampling-steps", "2", "--json", scores, "--out", Path.Combine(folder, "t2i-eval"));
        Assert.True(eval.Code == 0, eval.Output + eval.Error);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores))!;
        Assert.Equal(100, metrics["cell_color_real"]);
        Assert.InRange(metrics["cell_color"], 0, 100);
        Assert.True(File.Exists(Path.Combine(folder, "t2i-eval", "image_scores.json")));
    }

    [Fact]
    public void A_story_run_is_scored_frame_by_frame_with_every_frame_generated_in_turn()
    {
        string run = Path.Combine(folder, "story");
        var train = Mmi("train", "--preset", "tiny", "--task", "glyph-story", "--grid", "2", "--steps", "2", "--batch-size", "2",
            "--eval-examples", "0", "--warmup", "1", "--out", run);
        Assert.True(train.Code == 0, train.Output + train.Error);
        string scores = Path.Combine(folder, "story-scores.json");
        var eval = Mmi("eval", "--run", run, "--examples", "2", "--split", "Test", "--sampling-steps", "2", "--story-frames", "all", "--json", scores, "--out", Path.Combine(folder, "story-eval"));
        Assert.True(eval.Code == 0, eval.Output + eval.Error);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(scores))!;
        Assert.True(metrics["frames_scored"] >= 4);                 // two stories of at least three frames, all but the first generated
        Assert.InRange(metrics["cell_color_unchanged_copy_previous"], 90, 100);
        Assert.True(File.Exists(Path.Combine(folder, "story-eval", "story.html")));
        var wrong = Mmi("eval", "--run", run, "--story-frames", "some");
        Assert.NotEqual(0, wrong.Code);                             // a parse error: System.CommandLine names the allowed values
        Assert.Contains("some", wrong.Output + wrong.Error);
    }

    [Fact]
    public void Seg_to_image_trains_with_the_map_as_the_first_image()
    {
        string run = Path.Combine(folder, "seg");
        var train = Mmi("train", "--preset", "tiny", "--task", "glyph-seg-to-image", "--grid", "1", "--steps", "2", "--batch-size", "2",
            "--eval-examples", "0", "--warmup", "1", "--out", run);
        Assert.True(train.Code == 0, train.Output + train.Error);
        Assert.Contains("\"image_decoder\"", File.ReadAllText(Path.Combine(run, "config.json")));
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Contains(metrics, line => line.Contains("loss_img"));
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
        Assert.Contains("absent", run.Error);
    }

    [Fact]
    public void Resume_alone_continues_the_run_as_itself_to_the_weights_of_an_uninterrupted_run()
    {
        using var single = new SingleThread();   // restores the thread count `--threads 1` sets
        string[] settings = ["--preset", "tiny", "--steps", "4", "--batch-size", "2", "--max-length", "48", "--checkpoint-every", "2",
            "--eval-examples", "0", "--warmup", "1", "--threads", "1"];
        string full = Path.Combine(folder, "full"), cut = Path.Combine(folder, "cut");
        Assert.Equal(0, Mmi(["train", .. settings, "--out", full]).Code);
        Assert.Equal(0, Mmi(["train", .. settings, "--out", cut]).Code);
        // as if killed after the step-2 checkpoint: no final weights, no step-4 checkpoint
        Directory.Delete(Path.Combine(cut, "checkpoint-000004"), recursive: true);
        File.WriteAllText(Path.Combine(cut, "latest"), "checkpoint-000002");
        File.Delete(Path.Combine(cut, "model.safetensors"));

        var resumed = Mmi("train", "--resume", cut, "--threads", "1");
        Assert.True(resumed.Code == 0, resumed.Output + resumed.Error);
        Assert.Contains("batch 2, window 48", resumed.Output);
        Assert.Contains("4 steps,", resumed.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "model.safetensors")), File.ReadAllBytes(Path.Combine(cut, "model.safetensors")));

        // an option that disagrees with the run is refused, naming it and the run's value
        var disagree = Mmi("train", "--resume", cut, "--batch-size", "16");
        Assert.Equal(2, disagree.Code);
        Assert.Contains("--batch-size 16", disagree.Error);
        Assert.Contains("batch_size 2", disagree.Error);
        // repeating a setting is fine; a fresh run into a folder that holds one is refused
        Assert.Equal(0, Mmi("train", "--resume", cut, "--batch-size", "2", "--threads", "1").Code);
        var over = Mmi(["train", .. settings, "--out", cut]);
        Assert.Equal(2, over.Code);
        Assert.Contains("--resume", over.Error);
    }

    [Fact]
    public void Damaged_weights_and_windows_without_targets_get_one_line_not_a_stack_trace()
    {
        string run = Path.Combine(folder, "short");
        // a 32-token window often cuts every answer from a batch; such batches are skipped and counted
        var train = Mmi("train", "--preset", "tiny", "--steps", "30", "--batch-size", "2", "--max-length", "32", "--eval-examples", "0",
            "--checkpoint-every", "10", "--warmup", "1", "--out", run);
        Assert.True(train.Code == 0, train.Output + train.Error);

        string weights = Path.Combine(run, "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        var eval = Mmi("eval", "--run", run, "--examples", "2");
        Assert.Equal(2, eval.Code);
        Assert.Contains(weights, eval.Error);
        Assert.DoesNotContain("   at ", eval.Error);
        var verbose = Mmi("eval", "--run", run, "--examples", "2", "--verbose");
        Assert.Contains("   at ", verbose.Error);

        string checkpoint = Path.Combine(run, "checkpoint-000030", "model.safetensors");
        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..100]);
        var resume = Mmi("train", "--resume", run, "--steps", "31");
        Assert.Equal(2, resume.Code);
        Assert.Contains(checkpoint, resume.Error);
        Assert.DoesNotContain("   at ", resume.Error);
    }

    [Fact]
    public void Question_mix_takes_four_fine_weights_or_seven_with_the_coarse_ones()
    {
        Assert.Equal(0.4, MMInterleaved.Cli.Commands.TrainCommand.ParseMix("0.4,0.3,0.15,0.15").GlyphAtCell);
        var coarse = MMInterleaved.Cli.Commands.TrainCommand.ParseMix("0,0,0,0,0,1,0");
        Assert.Equal((0.0, 1.0), (coarse.GlyphAtCell, coarse.DominantColor));
        var wrong = Assert.Throws<ArgumentException>(() => MMInterleaved.Cli.Commands.TrainCommand.ParseMix("1,2,3"));
        Assert.Contains("'1,2,3'", wrong.Message);
    }
}
