using System.CommandLine;
using MMInterleaved.Data.Files;
using MMInterleaved.Language;
using MMInterleaved.Pipeline;
using MMInterleaved.Runtime;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi generate`: text continuations of interleaved prompts from a document file.</summary>
public static class GenerateCommand
{
    private static readonly GenerationOptions Defaults = new();

    /// <summary>Builds the command (option defaults are <see cref="GenerationOptions"/>'s).</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by `mmi train`.", Required = true };
        var prompts = new Option<string>("--prompts") { Description = "JSON-Lines document file (docs/data-format.md); each document is one prompt, continued after its last segment.", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Upper bound on generated tokens.", DefaultValueFactory = _ => Defaults.MaxNewTokens };
        var beams = new Option<int>("--beams") { Description = "Beam search width (1: greedy or sampling).", DefaultValueFactory = _ => Defaults.NumBeams };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling with this top-p (implies sampling)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => Defaults.Temperature };
        var repetition = new Option<double>("--repetition-penalty") { Description = "HF repetition penalty (1: none).", DefaultValueFactory = _ => Defaults.RepetitionPenalty };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => Defaults.Seed };
        var device = new Option<string?>("--device") { Description = $"cpu, cuda or cuda:N (default: ${DeviceSelection.EnvironmentVariable}, else CUDA when available)." };
        var command = new Command("generate", "Continue interleaved prompts (text and images from a document file) with a trained run.")
        {
            run, prompts, maxNew, beams, topP, temperature, repetition, seed, device,
        };
        command.SetAction(parse =>
        {
            var pipeline = MMInterleavedPipeline.FromPretrained(parse.GetValue(run)!, DeviceSelection.Resolve(parse.GetValue(device)));
            var documents = DocumentFile.Read(parse.GetValue(prompts)!, imageSize: pipeline.Config.Vision.ImageSize);
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxNew), NumBeams = parse.GetValue(beams), DoSample = parse.GetValue(topP) is not null,
                TopP = parse.GetValue(topP) ?? 1.0, Temperature = parse.GetValue(temperature), RepetitionPenalty = parse.GetValue(repetition), Seed = parse.GetValue(seed),
            };
            foreach (var document in documents)
            {
                using var scope = torch.NewDisposeScope();
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(document.Id)}[/]: {Markup.Escape(pipeline.Generate(document, options))}");
            }
            return 0;
        });
        return command;
    }
}
