using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Evaluation;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi eval`: run a trained model on a task's held-out documents and score it with the official metrics.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by `mmi train` (config.json, tokenizer.json, checkpoints).", Required = true };
        var task = new Option<string>("--task") { Description = "Task whose validation split is scored: glyph-vqa, glyph-multi-image (VQA accuracy), glyph-caption (BLEU, CIDEr-D) or glyph-grounding (accuracy at IoU ≥ 0.5).", DefaultValueFactory = _ => "glyph-vqa" };
        var examples = new Option<int>("--examples") { Description = "Held-out documents to score.", DefaultValueFactory = _ => 500 };
        var shots = new Option<int>("--shots") { Description = "Solved examples from the training split placed before each query (0: zero-shot).", DefaultValueFactory = _ => 0 };
        var selection = new Option<ShotSelection>("--selection") { Description = "How shots are chosen: Random (seeded per query) or Retrieval (most similar images by the model's encoder features, most similar last).", DefaultValueFactory = _ => ShotSelection.Random };
        var seed = new Option<long>("--seed") { Description = "Seed of the task's data (use the training seed) and of random shots.", DefaultValueFactory = _ => 0 };
        var extract = new Option<bool>("--extract-answer") { Description = "Apply the reference's answer-extraction heuristic instead of cutting at the first period (VQA)." };
        var output = new Option<string?>("--out") { Description = "Write predictions, annotations and scores here in the official formats (re-score with `mmi score`)." };
        var json = new Option<string?>("--json") { Description = "Also write the scores to this JSON file." };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var command = new Command("eval", "Score a trained run on held-out documents, zero- or few-shot: official VQA accuracy (overall, per question and answer type) or the COCO caption metrics.")
        {
            run, task, examples, shots, selection, seed, extract, output, json, threads,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            string taskName = parse.GetValue(task)!;
            var opened = TaskRun.Open(parse.GetValue(run)!, taskName, parse.GetValue(seed));
            var evaluator = new TaskEvaluator(opened.Model, opened.Tokenizer);
            var fewShot = new FewShotOptions { Shots = parse.GetValue(shots), Selection = parse.GetValue(selection), Seed = parse.GetValue(seed) }.Validated();
            var queries = opened.EvalSource.Take(parse.GetValue(examples)).ToList();
            bool captions = taskName.EndsWith("-caption", StringComparison.Ordinal);
            bool grounding = taskName.EndsWith("-grounding", StringComparison.Ordinal);
            Dictionary<string, double> scores = [];
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var bar = context.AddTask($"{taskName}, {fewShot.Shots}-shot", maxValue: queries.Count);
                evaluator.Progress += (done, _) => bar.Value = done;
                if (grounding)
                {
                    var result = evaluator.EvaluateGrounding(queries, opened.TrainSource, fewShot);
                    if (parse.GetValue(output) is string folder) result.Write(folder);
                    scores["accuracy"] = 100 * result.Result.Accuracy;
                    scores["malformed"] = result.Result.Malformed;
                }
                else if (captions)
                {
                    var result = evaluator.EvaluateCaptions(queries, opened.TrainSource, fewShot);
                    if (parse.GetValue(output) is string folder) result.Write(folder);
                    scores = result.Scores.ToDictionary();
                }
                else
                {
                    var result = evaluator.EvaluateVqa(queries, opened.TrainSource, fewShot, parse.GetValue(extract));
                    if (parse.GetValue(output) is string folder) result.Write(folder);
                    scores["overall"] = result.Result.Overall;
                    foreach (var (type, value) in result.Result.PerQuestionType) scores["question_type/" + type] = value;
                    foreach (var (type, value) in result.Result.PerAnswerType) scores["answer_type/" + type] = value;
                }
            });
            var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (name, value) in scores) table.AddRow(Markup.Escape(name), value.ToString(captions ? "F4" : "F2", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(captions ? "[grey]caption scores are fractions (CIDEr 0.63 is 63 as papers print it)[/]"
                : grounding ? "[grey]grounding accuracy in percent; malformed = outputs without a valid box (counted as misses)[/]" : "[grey]VQA accuracy in percent[/]");
            if (parse.GetValue(json) is string path) File.WriteAllText(path, JsonSerializer.Serialize(scores, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
