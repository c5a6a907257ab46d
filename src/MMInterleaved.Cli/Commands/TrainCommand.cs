using System.CommandLine;
using System.Globalization;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi train`: train a model on a built-in task or a document file, with checkpoints, a metrics log and progress.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var preset = new Option<string>("--preset") { Description = "Model: tiny, small (the ablation model), paper, or a path to a config.json.", DefaultValueFactory = _ => "small" };
        var task = new Option<string>("--task") { Description = "Built-in task: glyph-caption, glyph-vqa, glyph-grounding, glyph-fewshot, glyph-multi-image (or fashion-… with Fashion-MNIST installed).", DefaultValueFactory = _ => "glyph-vqa" };
        var data = new Option<string?>("--data") { Description = "Train on a JSON-Lines document file instead of a task (format: docs/data-format.md); its last tenth is held out." };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch-size") { Description = "Packed sequences per step.", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--max-length") { Description = "Tokens per packed sequence (96 holds an image with four questions).", DefaultValueFactory = _ => 96 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (the MMFS gates get 10×, sampling offsets 0.1×).", DefaultValueFactory = _ => 1e-3 };
        var warmup = new Option<int>("--warmup") { Description = "Linear warm-up steps before the cosine decay.", DefaultValueFactory = _ => 100 };
        var accumulation = new Option<int>("--accumulate") { Description = "Micro-batches per optimizer step (gradient accumulation).", DefaultValueFactory = _ => 1 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate held-out answer accuracy every N steps (0: only at the end).", DefaultValueFactory = _ => 0 };
        var evalExamples = new Option<int>("--eval-examples") { Description = "Held-out documents per evaluation.", DefaultValueFactory = _ => 200 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write a checkpoint every N steps (0: only at the end).", DefaultValueFactory = _ => 200 };
        var output = new Option<string?>("--out") { Description = "Run folder for checkpoints, metrics.jsonl, tokenizer.json and config.json (default artifacts/runs/<task>-<preset>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its latest checkpoint (same settings)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the data and of libtorch.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var offsetScale = new Option<double>("--offset-lr-scale") { Description = "Learning-rate multiplier of the sampling offsets (the reference: 0.1).", DefaultValueFactory = _ => 0.1 };
        var gateScale = new Option<double>("--gate-lr-scale") { Description = "Learning-rate multiplier of the MMFS gates (the pilot needed 10).", DefaultValueFactory = _ => 10.0 };
        var grid = new Option<int>("--grid") { Description = "Glyph grid cells per side (3: position names like \"top left\"; 4: \"row r column c\").", DefaultValueFactory = _ => 4 };
        var questions = new Option<int>("--questions-per-image") { Description = "glyph-vqa: questions asked about each training image, every answer a target (evaluation asks one). Four: the small model's MMFS learns to find a cell within ~1000 steps; with one it stayed at the answer prior.", DefaultValueFactory = _ => 4 };
        var mix = new Option<string?>("--question-mix") { Description = "glyph VQA question type weights glyph_at_cell,color_at_cell,count,compare (default 0.4,0.3,0.15,0.15; e.g. 0,1,0,0 for colour questions only)." };
        var offsetInit = new Option<double?>("--offset-init") { Description = "Override the decoder MMFS's initial offset magnitude (in base-grid cells)." };
        var command = new Command("train", "Train an MM-Interleaved model on a built-in task or a document file.")
        {
            preset, task, data, steps, batch, length, lr, warmup, accumulation, evalEvery, evalExamples, checkpointEvery, output, resume, seed, threads,
            offsetScale, gateScale, offsetInit, grid, questions, mix,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            string? resumeFolder = parse.GetValue(resume);
            string presetName = parse.GetValue(preset)!, taskName = parse.GetValue(task)!;
            string folder = resumeFolder ?? parse.GetValue(output) ?? Path.Combine("artifacts", "runs", $"{taskName}-{Path.GetFileNameWithoutExtension(presetName)}");
            if (resumeFolder is not null && !Directory.Exists(resumeFolder))
                throw new ArgumentException($"--resume: the run folder '{resumeFolder}' does not exist.");
            var options = new TaskRunOptions
            {
                Model = resumeFolder is not null && File.Exists(Path.Combine(resumeFolder, "config.json")) ? Path.Combine(resumeFolder, "config.json") : presetName,
                OffsetInitMagnitude = parse.GetValue(offsetInit), GridSide = parse.GetValue(grid), QuestionsPerImage = parse.GetValue(questions),
                Questions = parse.GetValue(mix) is string m ? ParseMix(m) : new(),
                Task = taskName, DataFile = parse.GetValue(data), OutFolder = folder, BatchSize = parse.GetValue(batch), MaxLength = parse.GetValue(length),
                Seed = parse.GetValue(seed), EvalExamples = parse.GetValue(evalExamples), Resume = resumeFolder is not null,
                Training = new TrainingConfig
                {
                    Steps = parse.GetValue(steps), LearningRate = parse.GetValue(lr), WarmupSteps = parse.GetValue(warmup),
                    GradientAccumulation = parse.GetValue(accumulation), EvalEvery = parse.GetValue(evalEvery), CheckpointEvery = parse.GetValue(checkpointEvery),
                    Groups = [new("llama_cross_attn.gate", parse.GetValue(gateScale), 0.0), new("sampling_offsets", parse.GetValue(offsetScale), 0.0), new("llama_cross_attn", 1.0)],
                },
            };
            var run = new TaskRun(options);
            File.WriteAllText(Path.Combine(folder, "config.json"), run.Model.Config.ToJson());
            AnsiConsole.MarkupLine($"training [bold]{Markup.Escape(presetName)}[/] on [bold]{Markup.Escape(options.DataFile ?? taskName)}[/] for {options.Training.Steps} steps → {Markup.Escape(folder)}");
            TrainingResult result = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("starting", maxValue: options.Training.Steps);
                    run.Trainer.Progress += p =>
                    {
                        bar.Value = p.Step;
                        bar.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step} loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s{(p.Skipped ? " (skipped)" : "")}");
                    };
                    run.Trainer.Evaluated += (step, metrics) => AnsiConsole.MarkupLine($"step {step}: " +
                        string.Join(", ", metrics.Select(kv => Markup.Escape(kv.Key) + " " + kv.Value.ToString("P1", CultureInfo.InvariantCulture))));
                    result = run.Run();
                });
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"done: step {result.Step}, loss {result.LastLoss:F4}, {result.SkippedSteps} skipped steps; checkpoint {Markup.Escape(result.Checkpoint ?? "-")}"));
            return 0;
        });
        return command;
    }

    /// <summary>"0.4,0.3,0.15,0.15" → the mix; a clear error names the option and what it expects.</summary>
    internal static Data.Tasks.VqaQuestionMix ParseMix(string text)
    {
        var parts = text.Split(',');
        var weights = parts.Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double w) ? w : double.NaN).ToArray();
        if (weights.Length != 4 || weights.Any(w => !double.IsFinite(w) || w < 0))
            throw new ArgumentException($"--question-mix '{text}': expected four non-negative weights glyph_at_cell,color_at_cell,count,compare, e.g. 0.4,0.3,0.15,0.15.");
        return new Data.Tasks.VqaQuestionMix(weights[0], weights[1], weights[2], weights[3]).Validated();
    }
}
