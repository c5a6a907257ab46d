using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi eval`: held-out answer accuracy of a trained run on a task.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by `mmi train` (config.json, tokenizer.json, checkpoints).", Required = true };
        var task = new Option<string>("--task") { Description = "Task whose validation split is scored (default glyph-vqa).", DefaultValueFactory = _ => "glyph-vqa" };
        var examples = new Option<int>("--examples") { Description = "Held-out documents to score.", DefaultValueFactory = _ => 500 };
        var seed = new Option<long>("--seed") { Description = "Seed of the task's data (use the training seed).", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Also write the scores to this JSON file." };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var command = new Command("eval", "Score a trained run: exact-match answer accuracy on held-out documents, overall and per question type.")
        {
            run, task, examples, seed, json, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            var opened = TaskRun.Open(parse.GetValue(run)!, parse.GetValue(task)!, parse.GetValue(seed));
            var metrics = opened.Evaluate(parse.GetValue(examples));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (name, value) in metrics.OrderBy(kv => kv.Key)) table.AddRow(Markup.Escape(name), value.ToString("P1", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            if (parse.GetValue(json) is string path) File.WriteAllText(path, JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
