using System.CommandLine;
using MMInterleaved.Data.Files;
using MMInterleaved.Diffusion;
using MMInterleaved.Pipeline;
using MMInterleaved.Runtime;
using MMInterleaved.Visualization;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi generate`: interleaved continuations (text, and images when the run has an image decoder) of prompts from a
/// document file, printed and written as PNG files with an HTML page.</summary>
public static class GenerateCommand
{
    private static readonly InterleavedGenerationOptions Defaults = new();

    /// <summary>Builds the command (option defaults are <see cref="InterleavedGenerationOptions"/>'s).</summary>
    public static Command Build()
    {
        var text = Defaults.Text;
        var image = Defaults.Image;
        var run = new Option<string>("--run") { Description = "Run folder written by `mmi train` (or any pipeline folder).", Required = true };
        var prompts = new Option<string>("--prompts") { Description = "JSON-Lines document file (docs/data-format.md); each document is one prompt, continued after its last segment.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the generated images (PNG) and index.html.", DefaultValueFactory = _ => Path.Combine("artifacts", "generated") };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Upper bound on generated tokens per text segment.", DefaultValueFactory = _ => text.MaxNewTokens };
        var beams = new Option<int>("--beams") { Description = "Beam search width (1: greedy or sampling).", DefaultValueFactory = _ => text.NumBeams };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling with this top-p (implies sampling)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => text.Temperature };
        var repetition = new Option<double>("--repetition-penalty") { Description = "HF repetition penalty (1: none).", DefaultValueFactory = _ => text.RepetitionPenalty };
        var seed = new Option<long>("--seed") { Description = "Seed of text sampling and of the images (image n, candidate k: seed + 1000·n + k).", DefaultValueFactory = _ => text.Seed };
        var scheduler = new Option<string>("--scheduler") { Description = "Image sampler: ddpm (the reference's) or ddim.", DefaultValueFactory = _ => image.Scheduler };
        var steps = new Option<int>("--sampling-steps") { Description = "Denoising steps per image.", DefaultValueFactory = _ => image.Steps };
        var guidance = new Option<double>("--guidance-scale") { Description = "Classifier-free guidance scale (1 or less: off).", DefaultValueFactory = _ => image.GuidanceScale };
        var candidates = new Option<int>("--candidates") { Description = "Images sampled per image position; the first continues the document.", DefaultValueFactory = _ => Defaults.Candidates };
        var maxImages = new Option<int>("--max-images") { Description = "Images generated per prompt at most; generation stops after the last.", DefaultValueFactory = _ => Defaults.MaxImages };
        var force = new Option<bool>("--force-image") { Description = "Generate an image right after each prompt (as if the model had begun one)." };
        var device = new Option<string?>("--device") { Description = $"cpu, cuda or cuda:N (default: ${DeviceSelection.EnvironmentVariable}, else CUDA when available)." };
        var command = new Command("generate", "Continue interleaved prompts (text and images from a document file) with a trained run: text, and images where the model begins one.")
        {
            run, prompts, output, maxNew, beams, topP, temperature, repetition, seed, scheduler, steps, guidance, candidates, maxImages, force, device,
        };
        command.SetAction(parse =>
        {
            string folder = parse.GetValue(run)!;
            var pipeline = MMInterleavedPipeline.FromPretrained(folder, DeviceSelection.Resolve(parse.GetValue(device)));
            bool draws = pipeline.Model.ImageDecoder is not null;
            if (parse.GetValue(force) && !draws)
                throw new ArgumentException($"--force-image: {folder} has no image decoder (its config.json has no image_decoder); train one on a generation task such as glyph-text-to-image.");
            var documents = DocumentFile.Read(parse.GetValue(prompts)!, imageSize: pipeline.Config.Vision.ImageSize);
            var options = new InterleavedGenerationOptions
            {
                Text = text with
                {
                    MaxNewTokens = parse.GetValue(maxNew), NumBeams = parse.GetValue(beams), DoSample = parse.GetValue(topP) is not null,
                    TopP = parse.GetValue(topP) ?? 1.0, Temperature = parse.GetValue(temperature), RepetitionPenalty = parse.GetValue(repetition), Seed = parse.GetValue(seed),
                },
                Image = image with { Scheduler = parse.GetValue(scheduler)!, Steps = parse.GetValue(steps), GuidanceScale = parse.GetValue(guidance), Seed = parse.GetValue(seed) },
                Candidates = parse.GetValue(candidates),
                MaxImages = draws ? parse.GetValue(maxImages) : 0,
                ForceImage = parse.GetValue(force),
            }.Validated();
            var results = new List<InterleavedGenerationResult>();
            foreach (var document in documents)
            {
                using var scope = torch.NewDisposeScope();
                var result = pipeline.GenerateInterleaved(document, options);
                foreach (var generated in result.Images) generated.Image.DetachFromDisposeScope();
                foreach (var c in result.Images.SelectMany(g => g.Candidates)) c.DetachFromDisposeScope();
                results.Add(result);
                string continuation = string.Join(" ", result.Document.Segments.Skip(result.FirstGenerated).Select(s => s is Data.TextSegment t ? t.Text : "[image]"));
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(document.Id)}[/]: {Markup.Escape(continuation)}");
            }
            string page = InterleavedPage.Write(parse.GetValue(output)!, results);
            AnsiConsole.MarkupLine(Markup.Escape($"{results.Sum(r => r.Images.Count)} images written; the page is {page}"));
            return 0;
        });
        return command;
    }
}
