using System.CommandLine;
using System.Globalization;
using MMInterleaved.Model;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi pretrain-encoder`: pre-train a preset's vision encoder on glyph scenes with dense per-cell targets.</summary>
public static class PretrainEncoderCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = "Model whose encoder (ViT + adapter) is trained: tiny, small or a config.json.", DefaultValueFactory = _ => "small" };
        var imageSize = new Option<int?>("--image-size") { Description = "Input side in pixels instead of the preset's (e.g. 32 for the input-resolution ablation's encoder)." };
        var steps = new Option<int>("--steps") { Description = "Maximum optimizer steps (training stops early at --target).", DefaultValueFactory = _ => 800 };
        var batch = new Option<int>("--batch-size") { Description = "Scenes per step.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 2e-3 };
        var target = new Option<double>("--target") { Description = "Held-out per-cell glyph accuracy at which to stop.", DefaultValueFactory = _ => 0.97 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate every N steps.", DefaultValueFactory = _ => 100 };
        var output = new Option<string?>("--out") { Description = "Encoder file to write (safetensors; default data/encoders/small-encoder.safetensors, or small-encoder-<N>px.safetensors with --image-size N, with -isolated-glyphs or -scattered-glyphs before the extension for those objectives)." };
        var seed = new Option<long>("--seed") { Description = "Seed of scenes and initialisation.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var objective = new Option<string>("--objective")
        {
            Description = "cells: glyph and colour of every cell of 4×4 scenes (the committed encoder); isolated-glyphs: one glyph anywhere in an empty image, " +
                          "its kind and colour from the whole image's pooled features (never a grid scene or a cell label); scattered-glyphs: glyphs scattered over a 6×6 lattice, " +
                          "each lattice cell's glyph and colour (localised, but never the 4×4 grid the questions name). Default --out: data/encoders/small-encoder[-Npx][-OBJECTIVE].safetensors.",
            DefaultValueFactory = _ => "cells",
        };
        var command = new Command("pretrain-encoder", "Pre-train a vision encoder on glyph scenes (glyph and colour of every grid cell, of one isolated glyph, or of scattered glyphs) and save it for the small preset.")
        {
            preset, imageSize, steps, batch, lr, target, evalEvery, output, seed, threads, objective,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            var goal = EncoderObjectiveOption.Parse(parse.GetValue(objective)!, "--objective");
            var options = new EncoderPretrainingOptions
            {
                Objective = goal,
                Model = parse.GetValue(preset)!, ImageSize = parse.GetValue(imageSize), Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                TargetAccuracy = parse.GetValue(target), EvalEvery = parse.GetValue(evalEvery), OutFile = parse.GetValue(output) ?? ModelPresets.SmallEncoderPathAt(parse.GetValue(imageSize) ?? 64, goal), Seed = parse.GetValue(seed),
                RunFolder = Path.Combine("artifacts", "runs", $"encoder-{Path.GetFileNameWithoutExtension(parse.GetValue(preset)!)}{(parse.GetValue(imageSize) is int px ? $"-{px}px" : "")}{(goal == EncoderObjective.CellLabels ? "" : "-" + goal)}-seed{parse.GetValue(seed)}"),
            };
            var pretraining = new EncoderPretraining(options);
            pretraining.Trainer.Progress += p => AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step}/{p.Steps} loss {p.Loss:F3} ({p.Elapsed:mm\\:ss} elapsed, {p.Remaining:mm\\:ss} left){(p.Skipped ? " [yellow]skipped[/]" : "")}"));
            pretraining.Trainer.Evaluated += (step, m) => AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]step {step}[/]: glyph {m["cell_glyph_accuracy"]:P1}, digit {m["cell_digit_accuracy"]:P1}, colour {m["cell_colour_accuracy"]:P1}"));
            var metrics = pretraining.Run();
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"saved [bold]{Markup.Escape(options.OutFile)}[/]: held-out glyph {metrics["cell_glyph_accuracy"]:P1}, digit {metrics["cell_digit_accuracy"]:P1}, colour {metrics["cell_colour_accuracy"]:P1}"));
            return metrics["cell_glyph_accuracy"] >= options.TargetAccuracy ? 0 : 3;
        });
        return command;
    }
}
