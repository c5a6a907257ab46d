using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Evaluation;
using MMInterleaved.Evaluation.Inception;
using MMInterleaved.Pipeline;
using MMInterleaved.Runtime;
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
        var run = new Option<string>("--run") { Description = "Run folder of `mmi train`, or any pipeline folder (config.json, model.safetensors, tokenizer.json).", Required = true };
        var task = new Option<string?>("--task") { Description = "Task whose held-out split is scored: glyph-vqa, glyph-multi-image (VQA accuracy), glyph-caption (BLEU, CIDEr-D), glyph-grounding (accuracy at IoU ≥ 0.5), glyph-text-to-image (cell colours of generated images), glyph-seg-to-image (mIoU of generated images against the input map) or glyph-story (generated frames: changed and unchanged cells, similarity). Default: the run's own task (its training_args.json), else glyph-vqa." };
        var examples = new Option<int>("--examples") { Description = "Held-out documents to score.", DefaultValueFactory = _ => 500 };
        var shots = new Option<int>("--shots") { Description = "Solved examples from the training split placed before each query (0: zero-shot).", DefaultValueFactory = _ => new FewShotOptions().Shots };
        var selection = new Option<ShotSelection>("--selection") { Description = "How shots are chosen: Random (seeded per query) or Retrieval (most similar images by the model's encoder features, most similar last).", DefaultValueFactory = _ => new FewShotOptions().Selection };
        var seed = new Option<long?>("--seed") { Description = "Seed of the task's data and of random shots (default: the run's training seed, else 0)." };
        var extract = new Option<bool>("--extract-answer") { Description = "Apply the reference's answer-extraction heuristic instead of cutting at the first period (VQA)." };
        var output = new Option<string?>("--out") { Description = "Write predictions, annotations and scores here in the official formats (re-score with `mmi score`)." };
        var json = new Option<string?>("--json") { Description = "Also write the scores to this JSON file." };
        var split = new Option<DataSplit>("--split") { Description = "Held-out split of a built-in task: Validation (curves, development) or Test (final numbers).", DefaultValueFactory = _ => DataSplit.Validation };
        var defaults = TaskEvaluator.DefaultImageSampling;
        var scheduler = new Option<string>("--scheduler") { Description = "Image sampler for generation tasks: ddim or ddpm.", DefaultValueFactory = _ => defaults.Scheduler };
        var samplingSteps = new Option<int>("--sampling-steps") { Description = "Denoising steps per generated image.", DefaultValueFactory = _ => defaults.Steps };
        var guidance = new Option<double>("--guidance-scale") { Description = "Classifier-free guidance scale of generated images (1 or less: off).", DefaultValueFactory = _ => defaults.GuidanceScale };
        var storyFrames = new Option<string>("--story-frames") { Description = "glyph-story: last (generate the last frame from the story before it, VIST-like) or all (every frame after the first in turn, each written back, Pororo-like).", DefaultValueFactory = _ => "last" };
        storyFrames.AcceptOnlyFromAmong("last", "all");
        var cellKinds = new Option<bool>("--cell-kinds") { Description = "glyph-text-to-image: also read each cell's glyph kind with the scoring segmenter (cell_kind, and cell_fidelity: kind and colour right; fid_glyph in its features; trained once on real renders, about 3 minutes at 32 px, cached in artifacts/segmenters). glyph-seg-to-image always reports them." };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var device = new Option<string?>("--device") { Description = $"cpu, cuda or cuda:N (default: ${DeviceSelection.EnvironmentVariable}, else CUDA when available)." };
        var command = new Command("eval", "Score a trained run on held-out documents, zero- or few-shot: official VQA accuracy (overall, per question and answer type) or the COCO caption metrics.")
        {
            run, task, examples, shots, selection, seed, extract, split, scheduler, samplingSteps, guidance, storyFrames, cellKinds, output, json, threads, device,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            string folder = parse.GetValue(run)!;
            var pipeline = MMInterleavedPipeline.FromPretrained(folder, DeviceSelection.Resolve(parse.GetValue(device)));
            // the run's own data settings, when it has them; a pipeline folder alone gets the defaults
            string argsFile = Path.Combine(folder, TrainingArgs.FileName);
            var args = File.Exists(argsFile) ? TrainingArgs.Load(argsFile) : TrainingArgs.Default;
            if (parse.GetValue(task) is string named) args = args with { Task = named, DataFile = null };
            if (parse.GetValue(seed) is long s) args = args with { Seed = s };
            var (train, held) = TrainingRun.OpenSources(args, pipeline.Config.Vision.ImageSize, parse.GetValue(split));
            var evaluator = new TaskEvaluator(pipeline)
            {
                Segmenter = new(() =>
                {
                    AnsiConsole.MarkupLine($"[grey]scoring segmenter: trained on real renders once (about 3 minutes on 2 cores), then cached in {Markup.Escape(GlyphSegmenter.DefaultCacheFolder)}[/]");
                    return GlyphSegmenter.ForTask(held);
                }),
                Inception = new(FidInceptionV3.TryLoadDefault),
            };
            var fewShot = new FewShotOptions { Shots = parse.GetValue(shots), Selection = parse.GetValue(selection), Seed = args.Seed }.Validated();
            var queries = held.Take(parse.GetValue(examples)).ToList();
            var metric = TaskEvaluator.MetricOf(queries);
            IReadOnlyDictionary<string, double> scores = new Dictionary<string, double>();
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var bar = context.AddTask($"{args.DataFile ?? args.Task}, {fewShot.Shots}-shot", maxValue: queries.Count);
                evaluator.Progress += (done, all) => { bar.MaxValue = all; bar.Value = done; };
                var sampling = defaults with { Scheduler = parse.GetValue(scheduler)!, Steps = parse.GetValue(samplingSteps), GuidanceScale = parse.GetValue(guidance) };
                ITaskEvaluation result = metric switch
                {
                    TaskMetric.CellColors => evaluator.EvaluateImages(queries, sampling, parse.GetValue(cellKinds)),
                    TaskMetric.Story => evaluator.EvaluateStory(queries, parse.GetValue(storyFrames) == "all", sampling),
                    TaskMetric.Segmentation => evaluator.EvaluateSegmentation(queries, evaluator.Segmenter!.Value
                        ?? throw new ArgumentException("segmentation-to-image is scored on the built-in glyph scenes only (glyph-seg-to-image): the scoring segmenter is trained on their renders."), sampling),
                    _ => evaluator.Evaluate(queries, train, fewShot, parse.GetValue(extract)),
                };
                if (parse.GetValue(output) is string official) result.Write(official);
                scores = result.Metrics;
            });
            bool captions = metric == TaskMetric.Captions, grounding = metric == TaskMetric.Grounding;
            var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (name, value) in scores) table.AddRow(Markup.Escape(name), value.ToString(captions ? "F4" : "F2", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(captions ? "[grey]caption scores are fractions (CIDEr 0.63 is 63 as papers print it)[/]"
                : grounding ? "[grey]grounding accuracy in percent; malformed = outputs without a valid box (counted as misses)[/]"
                : metric == TaskMetric.Segmentation ? "[grey]miou: the scoring segmenter's reading of each generated image against its input map (a fraction, as the paper prints it; other_map: against another prompt's map, the map-blind baseline; real: the segmenter on real scenes, the ceiling); cell colours in percent; _se: standard error over prompts (bootstrap for mIoU)[/]"
                : metric == TaskMetric.Story ? "[grey]cell colours read right in generated frames, in percent: changed = the cells the last sentence touched (follows the text?), unchanged = the rest (persists?); copy_previous: the real previous frame read the same way (what copying it scores); real: the reader's ceiling; similarity: cosine of the frozen encoder's features with the real frame (previous: the real previous frame's); _se: standard error over prompts[/]"
                : metric == TaskMetric.CellColors ? "[grey]cell colours read right, in percent of filled cells (other_scene: read against another prompt's layout, the caption-blind baseline; real: the reader on real scenes); _se: standard error over prompts[/]"
                : "[grey]VQA accuracy in percent[/]");
            if (parse.GetValue(json) is string path) File.WriteAllText(path, JsonSerializer.Serialize(scores, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }
}
