using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Evaluation.Probes;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Runtime;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi probe`: what a model's image tokenizer knows about each cell, read by frozen-feature probes.</summary>
public static class ProbeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model")
        {
            Description = "A trained run folder (or any folder FromPretrained opens), or a preset or config.json built fresh with its " +
                          "pre-trained encoder (its resampler then untrained: a random-feature control).",
            DefaultValueFactory = _ => "small",
        };
        var encoder = new Option<string?>("--encoder") { Description = "With a preset or config.json: the pre-trained encoder to load (default: the small preset's at its input size; a config.json none)." };
        var tokens = new Option<int?>("--tokens") { Description = "With a preset or config.json: visual tokens K of the fresh model." };
        var sites = new Option<string>("--sites")
        {
            Description = "Comma-separated sites: vit-tokens (what the resampler reads), adapter-map (what MMFS reads), visual-tokens (what the decoder gets).",
            DefaultValueFactory = _ => "vit-tokens,adapter-map,visual-tokens",
        };
        var trainScenes = new Option<int>("--train-scenes") { Description = "Scenes the probes are fitted on.", DefaultValueFactory = _ => new ProbeOptions().TrainScenes };
        var testScenes = new Option<int>("--test-scenes") { Description = "Held-out scenes they are scored on.", DefaultValueFactory = _ => new ProbeOptions().TestScenes };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training scenes.", DefaultValueFactory = _ => new ProbeOptions().Epochs };
        var hidden = new Option<int>("--hidden") { Description = "0: linear probes; N: one hidden layer of width N.", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Seed of scenes and probes.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var output = new Option<string?>("--out") { Description = "Also write the scores to this JSON file." };
        var command = new Command("probe", "Fit linear probes on a frozen model's image features to name every cell's glyph and colour (where does the image's detail survive?).")
        {
            model, encoder, tokens, sites, trainScenes, testScenes, epochs, hidden, seed, threads, output,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            var chosen = ParseSites(parse.GetValue(sites)!);
            var options = new ProbeOptions
            {
                TrainScenes = parse.GetValue(trainScenes), TestScenes = parse.GetValue(testScenes), Epochs = parse.GetValue(epochs),
                Hidden = parse.GetValue(hidden), Seed = parse.GetValue(seed),
            }.Validated();
            string name = parse.GetValue(model)!;
            using var network = Open(name, parse.GetValue(encoder), parse.GetValue(tokens));
            var scores = FeatureProbe.Run(network, chosen, options);
            var table = new Table().Border(TableBorder.Rounded).Title($"{(options.Hidden == 0 ? "linear" : $"MLP-{options.Hidden}")} probes of [bold]{Markup.Escape(name)}[/] ({options.TestScenes} held-out scenes)")
                .AddColumn("site").AddColumn(new TableColumn("features").RightAligned())
                .AddColumn(new TableColumn("glyph (%)").RightAligned()).AddColumn(new TableColumn("prior").RightAligned())
                .AddColumn(new TableColumn("colour (%)").RightAligned()).AddColumn(new TableColumn("prior").RightAligned());
            static string P(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
            foreach (var s in scores)
                table.AddRow(SiteName(s.Site), s.Features.ToString(CultureInfo.InvariantCulture), P(s.GlyphAccuracy), P(s.GlyphPrior), P(s.ColourAccuracy), P(s.ColourPrior));
            AnsiConsole.Write(table);
            if (parse.GetValue(output) is string file)
                AtomicFile.WriteAllText(file, JsonSerializer.Serialize(new { Model = name, Options = options, Scores = scores.Select(s => new { Site = SiteName(s.Site), s.Features, s.GlyphAccuracy, s.GlyphPrior, s.ColourAccuracy, s.ColourPrior }) },
                    new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    private static readonly (string Name, ProbeSite Site)[] Sites =
        [("vit-tokens", ProbeSite.VitTokens), ("adapter-map", ProbeSite.AdapterMap), ("visual-tokens", ProbeSite.VisualTokens)];

    private static string SiteName(ProbeSite site) => Sites.First(s => s.Site == site).Name;

    private static List<ProbeSite> ParseSites(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            Sites.FirstOrDefault(x => x.Name == s) is { Name: not null } hit ? hit.Site
                : throw new ArgumentException($"--sites: {s} is not a site ({string.Join(", ", Sites.Select(x => x.Name))}).")).ToList();

    // A folder opens as trained; a preset or config file is built fresh from seed 0 with its pre-trained encoder.
    private static MMInterleavedModel Open(string name, string? encoder, int? tokens)
    {
        if (Directory.Exists(name))
        {
            if (encoder is not null || tokens is not null) throw new ArgumentException("--encoder and --tokens apply to a preset or config.json, not to a trained folder.");
            return MMInterleavedPipeline.FromPretrained(name).Model;
        }
        var config = ModelPresets.Resolve(name);
        if (tokens is int k) config = config.WithNumImageTokens(k).Validated();
        string? file = encoder ?? ModelPresets.PretrainedEncoderFor(name, config);
        torch.manual_seed(0);
        var network = new MMInterleavedModel(config);
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--encoder: {file} does not exist (a pre-trained encoder, safetensors).");
            network.LoadPretrainedEncoder(file);
        }
        return network;
    }
}
