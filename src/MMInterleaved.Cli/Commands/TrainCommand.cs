using System.CommandLine;
using System.Globalization;
using MMInterleaved.Runtime;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi train`: train a model on a built-in task or a document file into a run folder (a pipeline folder plus
/// training_args.json, checkpoints and a metrics log), or continue one with `--resume DIR` and nothing else.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command; every option default is the records' (<see cref="TrainingArgs.Default"/>).</summary>
    public static Command Build()
    {
        var d = TrainingArgs.Default;
        var o = d.Optimization;
        var preset = new Option<string>("--preset") { Description = "Model: tiny, small (the ablation model), paper, or a path to a config.json.", DefaultValueFactory = _ => d.Model };
        var task = new Option<string>("--task") { Description = "Built-in task: glyph-caption, glyph-vqa, glyph-grounding, glyph-fewshot, glyph-multi-image, glyph-text-to-image, glyph-seg-to-image, glyph-story (the joint loss: a preset model gets its image decoder) (or fashion-… with Fashion-MNIST installed); a mixture such as glyph-vqa+glyph-text-to-image trains on its tasks in turn and is scored on the first.", DefaultValueFactory = _ => d.Task };
        var data = new Option<string?>("--data") { Description = "Train on a JSON-Lines document file instead of a task (format: docs/data-format.md); its last tenth is held out." };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps (with --resume: a larger number extends the run, its schedule stretched to the new total).", DefaultValueFactory = _ => o.Steps };
        var batch = new Option<int>("--batch-size") { Description = "Packed sequences per step.", DefaultValueFactory = _ => d.BatchSize };
        var length = new Option<int?>("--max-length") { Description = $"Tokens per packed sequence (default: {d.TextLength} text tokens plus <|beginofimage|> and the model's visual tokens, {d.WindowLength(Model.ModelPresets.Small.NumImageTokens)} for small: an image with four questions)." };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (the MMFS gates get --gate-lr-scale times it, sampling offsets --offset-lr-scale).", DefaultValueFactory = _ => o.LearningRate };
        var warmup = new Option<int>("--warmup") { Description = "Linear warm-up steps before the cosine decay.", DefaultValueFactory = _ => o.WarmupSteps };
        var accumulation = new Option<int>("--accumulate") { Description = "Micro-batches per optimizer step (gradient accumulation).", DefaultValueFactory = _ => o.GradientAccumulation };
        var evalEvery = new Option<int>("--eval-every") { Description = "Score held-out documents with the official metrics every N steps (0: only at the end).", DefaultValueFactory = _ => o.EvalEvery };
        var evalExamples = new Option<int>("--eval-examples") { Description = "Held-out documents per evaluation (0: none).", DefaultValueFactory = _ => d.EvalExamples };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write a checkpoint every N steps (0: only at the end).", DefaultValueFactory = _ => o.CheckpointEvery };
        var keep = new Option<int>("--keep-checkpoints") { Description = "Checkpoints kept (the newest; older ones are deleted): raise it to measure a run over its training steps.", DefaultValueFactory = _ => o.KeepCheckpoints };
        var output = new Option<string?>("--out") { Description = "Run folder (default artifacts/runs/<task>-<preset>); it must not hold a run already." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its latest checkpoint with the settings of its training_args.json; other options may only repeat them (and --steps extend the run)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the data and of libtorch.", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var device = new Option<string?>("--device") { Description = $"cpu, cuda or cuda:N (default: ${DeviceSelection.EnvironmentVariable}, else CUDA when available)." };
        var offsetScale = new Option<double>("--offset-lr-scale") { Description = "Learning-rate multiplier of the sampling offsets (the reference: 0.1).", DefaultValueFactory = _ => TrainingConfig.DefaultOffsetScale };
        var gateScale = new Option<double>("--gate-lr-scale") { Description = "Learning-rate multiplier of the MMFS gates (the pilot needed 10).", DefaultValueFactory = _ => TrainingConfig.DefaultGateScale };
        var unetScale = new Option<double>("--unet-lr-scale") { Description = "Learning-rate multiplier of the image decoder's UNet and MMFSNet (generation tasks).", DefaultValueFactory = _ => TrainingConfig.DefaultUNetScale };
        var tokenizerScale = new Option<double>("--tokenizer-lr-scale") { Description = "Learning-rate multiplier of the image tokenizer's trainable parts (resampler, its input projection and norms, output projection; the reference: 1; 0 keeps them at their initialisation).", DefaultValueFactory = _ => TrainingConfig.DefaultTokenizerScale };
        var grid = new Option<int>("--grid") { Description = "Glyph grid cells per side (3: position names like \"top left\"; 4: \"row r column c\"; 1: one glyph, generation tasks only).", DefaultValueFactory = _ => d.GridSide };
        var questions = new Option<int>("--questions-per-image") { Description = "glyph-vqa: questions asked about each training image, every answer a target (evaluation asks one). Four: the small model's MMFS learns to find a cell within ~1000 steps; with one it stayed at the answer prior.", DefaultValueFactory = _ => d.QuestionsPerImage };
        var mix = new Option<string?>("--question-mix") { Description = "glyph VQA question type weights glyph_at_cell,color_at_cell,count,compare (default 0.4,0.3,0.15,0.15; e.g. 0,1,0,0 for colour questions only), optionally followed by the coarse count_colors,dominant_color,any_kind (e.g. 0,0,0,0,0,1,0: which colour dominates)." };
        var offsetInit = new Option<double?>("--offset-init") { Description = "Override the decoder MMFS's initial offset magnitude (in base-grid cells)." };
        var encoder = new Option<string?>("--encoder") { Description = "Pre-trained vision encoder to start from: a safetensors file, or none (default: the preset's; small: data/encoders/small-encoder.safetensors)." };
        var command = new Command("train", "Train an MM-Interleaved model on a built-in task or a document file, or resume a run.")
        {
            preset, task, data, steps, batch, length, lr, warmup, accumulation, evalEvery, evalExamples, checkpointEvery, keep, output, resume, seed, threads, device,
            offsetScale, gateScale, unetScale, tokenizerScale, offsetInit, grid, questions, mix, encoder,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            var on = DeviceSelection.Resolve(parse.GetValue(device));
            var given = new TrainingArgs
            {
                Model = parse.GetValue(preset)!, Task = parse.GetValue(task)!, DataFile = parse.GetValue(data), BatchSize = parse.GetValue(batch),
                MaxLength = parse.GetValue(length), Seed = parse.GetValue(seed), EvalExamples = parse.GetValue(evalExamples), GridSide = parse.GetValue(grid),
                QuestionsPerImage = parse.GetValue(questions), Questions = parse.GetValue(mix) is string m ? ParseMix(m) : d.Questions,
                OffsetInitMagnitude = parse.GetValue(offsetInit), PretrainedEncoder = parse.GetValue(encoder),
                Optimization = o with
                {
                    Steps = parse.GetValue(steps), LearningRate = parse.GetValue(lr), WarmupSteps = parse.GetValue(warmup),
                    GradientAccumulation = parse.GetValue(accumulation), EvalEvery = parse.GetValue(evalEvery), CheckpointEvery = parse.GetValue(checkpointEvery),
                    KeepCheckpoints = parse.GetValue(keep),
                    Groups = TrainingConfig.MmfsGroups(parse.GetValue(gateScale), parse.GetValue(offsetScale), parse.GetValue(unetScale), parse.GetValue(tokenizerScale)),
                },
            };
            TrainingRun run;
            if (parse.GetValue(resume) is string folder)
            {
                if (parse.GetValue(output) is string other && Path.GetFullPath(other) != Path.GetFullPath(folder))
                    throw new ArgumentException($"--out {other} disagrees with --resume {folder}; a resumed run stays in its folder.");
                var stored = TrainingArgs.Load(Path.Combine(folder, TrainingArgs.FileName));
                // every option given beside --resume must repeat the run's setting; --steps may extend it
                (Option Option, string Field, Func<TrainingArgs, object?> Get)[] settings =
                [
                    (preset, "model", a => a.Model), (task, "task", a => a.Task), (data, "data_file", a => a.DataFile), (batch, "batch_size", a => a.BatchSize),
                    (length, "max_length", a => a.MaxLength), (seed, "seed", a => a.Seed), (evalExamples, "eval_examples", a => a.EvalExamples),
                    (grid, "grid_side", a => a.GridSide), (questions, "questions_per_image", a => a.QuestionsPerImage), (mix, "questions", a => a.Questions),
                    (offsetInit, "offset_init_magnitude", a => a.OffsetInitMagnitude), (encoder, "pretrained_encoder", a => a.PretrainedEncoder),
                    (lr, "optimization.learning_rate", a => a.Optimization.LearningRate), (warmup, "optimization.warmup_steps", a => a.Optimization.WarmupSteps),
                    (accumulation, "optimization.gradient_accumulation", a => a.Optimization.GradientAccumulation),
                    (evalEvery, "optimization.eval_every", a => a.Optimization.EvalEvery), (checkpointEvery, "optimization.checkpoint_every", a => a.Optimization.CheckpointEvery),
                    (keep, "optimization.keep_checkpoints", a => a.Optimization.KeepCheckpoints),
                    (gateScale, "optimization.groups (llama_cross_attn.gate)", a => ScaleOf(a, "llama_cross_attn.gate")),
                    (offsetScale, "optimization.groups (sampling_offsets)", a => ScaleOf(a, "sampling_offsets")),
                    (unetScale, "optimization.groups (image_decoder.decoder.)", a => ScaleOf(a, "image_decoder.decoder.")),
                    (tokenizerScale, $"optimization.groups ({TrainingConfig.TokenizerMatch})", a => ScaleOf(a, TrainingConfig.TokenizerMatch) ?? TrainingConfig.DefaultTokenizerScale),
                ];
                foreach (var (option, field, get) in settings)
                    if (Given(parse, option) && !Equals(get(given), get(stored)))
                        throw new ArgumentException($"{option.Name} {get(given) ?? "(none)"} disagrees with the run's {field} {get(stored) ?? "(none)"} in " +
                            $"{Path.Combine(folder, TrainingArgs.FileName)}; a resumed run keeps its settings (only --steps may grow). Drop the option, or train a new run.");
                run = TrainingRun.Resume(folder, Given(parse, steps) ? parse.GetValue(steps) : null, on);
            }
            else
            {
                string target = parse.GetValue(output) ?? Path.Combine("artifacts", "runs", $"{given.Task}-{Path.GetFileNameWithoutExtension(given.Model)}");
                run = TrainingRun.Create(target, given, device: on);
            }
            return Train(run);
        });
        return command;
    }

    private static int Train(TrainingRun run)
    {
        var args = run.Args;
        AnsiConsole.MarkupLine($"{(run.Resuming ? "resuming" : "training")} [bold]{Markup.Escape(args.Model)}[/] on [bold]{Markup.Escape(args.DataFile ?? args.Task)}[/] → {Markup.Escape(run.Folder)}");
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{args.Optimization.Steps} steps, batch {args.BatchSize}, window {args.WindowLength(run.Pipeline.Config.NumImageTokens)}, lr {args.Optimization.LearningRate}, seed {args.Seed}, {run.Pipeline.Device}")));
        // Ctrl+C ends the run after the current step with a checkpoint, so `--resume` continues it
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        TrainingResult result = null!;
        try
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("starting", maxValue: args.Optimization.Steps);
                    run.Trainer.Progress += p =>
                    {
                        bar.Value = p.Step;
                        bar.Description = string.Create(CultureInfo.InvariantCulture, $"step {p.Step} loss {p.Loss:F3} {p.TokensPerSecond:F0} tok/s{(p.Skipped ? " (skipped)" : "")}");
                    };
                    run.Trainer.Evaluated += (step, metrics) => AnsiConsole.MarkupLine($"step {step}: " +
                        string.Join(", ", metrics.Select(kv => Markup.Escape(kv.Key) + " " + kv.Value.ToString("0.###", CultureInfo.InvariantCulture))));
                    result = run.Run(cancel.Token);
                });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        string empty = result.EmptyBatches > 0 ? $", {result.EmptyBatches} batches without targets skipped" : "";
        AnsiConsole.MarkupLine(result.Interrupted
            ? Markup.Escape($"interrupted at step {result.Step}; checkpoint {result.Checkpoint}. Continue with: mmi train --resume {run.Folder}")
            : string.Create(CultureInfo.InvariantCulture, $"done: step {result.Step}, loss {result.LastLoss:F4}, {result.SkippedSteps} skipped steps{empty}; the run folder opens with MMInterleavedPipeline.FromPretrained(\"{Markup.Escape(run.Folder)}\")"));
        return 0;
    }

    // whether the user typed the option (not its default)
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static double? ScaleOf(TrainingArgs args, string match) => args.Optimization.Groups.FirstOrDefault(g => g.Match == match)?.LearningRateScale;

    /// <summary>"0.4,0.3,0.15,0.15" → the mix; a clear error names the option and what it expects.</summary>
    public static Data.Tasks.VqaQuestionMix ParseMix(string text)
    {
        var parts = text.Split(',');
        var weights = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) ? w : double.NaN).ToArray();
        if (weights.Length is not (4 or 7) || weights.Any(w => !double.IsFinite(w) || w < 0))
            throw new ArgumentException($"--question-mix '{text}': expected four non-negative weights glyph_at_cell,color_at_cell,count,compare, e.g. 0.4,0.3,0.15,0.15, " +
                "or seven with the coarse count_colors,dominant_color,any_kind after them.");
        return (weights.Length == 4 ? new Data.Tasks.VqaQuestionMix(weights[0], weights[1], weights[2], weights[3])
            : new Data.Tasks.VqaQuestionMix(weights[0], weights[1], weights[2], weights[3], weights[4], weights[5], weights[6])).Validated();
    }
}
