using System.CommandLine;
using MMInterleaved.Data.Files;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Language;
using MMInterleaved.Training;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi generate`: text continuations of interleaved prompts from a document file.</summary>
public static class GenerateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run folder written by `mmi train`.", Required = true };
        var prompts = new Option<string>("--prompts") { Description = "JSON-Lines document file (docs/data-format.md); each document is one prompt, continued after its last segment.", Required = true };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Upper bound on generated tokens.", DefaultValueFactory = _ => 20 };
        var beams = new Option<int>("--beams") { Description = "Beam search width (1: greedy or sampling).", DefaultValueFactory = _ => 1 };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling with this top-p (implies sampling)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var repetition = new Option<double>("--repetition-penalty") { Description = "HF repetition penalty (1: none).", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var command = new Command("generate", "Continue interleaved prompts (text and images from a document file) with a trained run.")
        {
            run, prompts, maxNew, beams, topP, temperature, repetition, seed,
        };
        command.SetAction(parse =>
        {
            var opened = TaskRun.Open(parse.GetValue(run)!, "glyph-vqa");
            var config = opened.Model.Config;
            var documents = DocumentFile.Read(parse.GetValue(prompts)!, imageSize: config.Vision.ImageSize);
            var builder = new SequenceBuilder(opened.Tokenizer, config.NumImageTokens);
            var collator = new BatchCollator(config.Tokens, config.Vision.ImageSize, leftPad: true);
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxNew), NumBeams = parse.GetValue(beams), DoSample = parse.GetValue(topP) is not null,
                TopP = parse.GetValue(topP) ?? 1.0, Temperature = parse.GetValue(temperature), RepetitionPenalty = parse.GetValue(repetition), Seed = parse.GetValue(seed),
            };
            opened.Model.eval();
            foreach (var document in documents)
            {
                using var scope = torch.NewDisposeScope();
                var result = opened.Model.GenerateTexts(collator.Collate([builder.BuildPrompt(document)]), options);
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(document.Id)}[/]: {Markup.Escape(opened.Tokenizer.Decode(result.Tokens[0]))}");
            }
            return 0;
        });
        return command;
    }
}
