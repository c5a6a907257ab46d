using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Evaluation.Attention;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Runtime;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi attention`: whether a trained model's MMFS looks at the cell a question names.</summary>
public static class AttentionCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = new CellAttentionOptions();
        var model = new Option<string>("--model") { Description = "A trained run folder (or any folder FromPretrained opens) whose decoder has deformable MMFS layers.", Required = true };
        var every = new Option<bool>("--every-checkpoint") { Description = "Measure each checkpoint the run folder keeps (`mmi train --keep-checkpoints`) and its final weights: the share over training steps." };
        var questions = new Option<int>("--questions") { Description = "Held-out questions about a named cell (glyph and colour, half each).", DefaultValueFactory = _ => d.Questions };
        var split = new Option<string>("--split") { Description = "test (final numbers) or validation (development).", DefaultValueFactory = _ => "test" };
        var grid = new Option<int>("--grid") { Description = "Cells per grid side, as the model was trained.", DefaultValueFactory = _ => d.GridSide };
        var seed = new Option<long>("--seed") { Description = "Seed of the question stream.", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var output = new Option<string?>("--out") { Description = "Also write the scores to this JSON file." };
        var command = new Command("attention", "Share of each MMFS layer's attention mass inside the cell a question asks about, against the same cell when another is asked (where does a trained model look?).")
        {
            model, every, questions, split, grid, seed, threads, output,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            var options = new CellAttentionOptions
            {
                Questions = parse.GetValue(questions), GridSide = parse.GetValue(grid), Seed = parse.GetValue(seed),
                Split = parse.GetValue(split)!.ToLowerInvariant() switch
                {
                    "test" => DataSplit.Test,
                    "validation" => DataSplit.Validation,
                    var s => throw new ArgumentException($"--split: {s} is not a held-out split (test or validation)."),
                },
            }.Validated();
            string folder = parse.GetValue(model)!;
            var pipeline = MMInterleavedPipeline.FromPretrained(folder);
            var measured = new List<(int? Step, IReadOnlyList<CellAttentionScore> Scores)>();
            foreach (var (step, weights) in parse.GetValue(every) ? Weights(folder) : [(null, null)])
            {
                if (weights is not null) ModelCheckpoint.LoadWeights(pipeline.Model, weights);
                var scores = CellAttention.Measure(pipeline, options);
                measured.Add((step, scores));
                Show(scores, step, options);
            }
            if (parse.GetValue(output) is string file)
                AtomicFile.WriteAllText(file, JsonSerializer.Serialize(new
                {
                    Model = folder, options.Questions, Split = options.Split.ToString(), options.GridSide, options.Seed,
                    QueryToken = "the prompt's last token (it produces the answer)",
                    Measured = measured.Select(m => new { m.Step, Layers = m.Scores.Select(s => new { s.Layer, s.InAskedCell, s.InCellOtherwise, s.Lift, s.ByArea, s.InImage, s.NullShare, s.PerHead }) }),
                }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    // The run's kept checkpoints in step order, then its final weights (step null) where training finished.
    private static IEnumerable<(int? Step, string? Weights)> Weights(string folder)
    {
        var kept = Directory.Exists(folder) ? Directory.GetDirectories(folder, "checkpoint-*")
            .Select(p => (Path: p, Ok: int.TryParse(Path.GetFileName(p)["checkpoint-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int s), Step: s))
            .Where(c => c.Ok && File.Exists(Path.Combine(c.Path, ModelCheckpoint.WeightsFile))).OrderBy(c => c.Step).ToList() : [];
        string final = Path.Combine(folder, ModelCheckpoint.WeightsFile);
        if (kept.Count == 0 && !File.Exists(final)) throw new ArgumentException($"--every-checkpoint: {folder} holds no checkpoint-*/ with {ModelCheckpoint.WeightsFile} and no final weights.");
        foreach (var c in kept) yield return (c.Step, Path.Combine(c.Path, ModelCheckpoint.WeightsFile));
        if (File.Exists(final)) yield return (null, final);
    }

    private static void Show(IReadOnlyList<CellAttentionScore> scores, int? step, CellAttentionOptions options)
    {
        static string P(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"MMFS mass in the asked cell{(step is int s ? $", step {s}" : "")} ({options.Questions} {options.Split} questions, {options.GridSide}×{options.GridSide} cells, %)")
            .AddColumn("layer").AddColumn(new TableColumn("asked cell").RightAligned()).AddColumn(new TableColumn("same cell, other asked").RightAligned())
            .AddColumn(new TableColumn("lift").RightAligned()).AddColumn(new TableColumn("by area").RightAligned())
            .AddColumn(new TableColumn("in image").RightAligned()).AddColumn(new TableColumn("null").RightAligned());
        foreach (var x in scores)
            table.AddRow(x.Layer.ToString(CultureInfo.InvariantCulture), P(x.InAskedCell), P(x.InCellOtherwise), x.Lift.ToString("F2", CultureInfo.InvariantCulture), P(x.ByArea), P(x.InImage), P(x.NullShare));
        AnsiConsole.Write(table);
    }
}
