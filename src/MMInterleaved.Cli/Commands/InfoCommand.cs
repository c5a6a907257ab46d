using System.CommandLine;
using System.Globalization;
using MMInterleaved.Model;
using MMInterleaved.Runtime;
using Spectre.Console;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi info`: versions, device, threads and optional data.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var device = new Option<string?>("--device")
        {
            Description = "Device to report: auto (default; CUDA if available, else CPU), cpu, cuda or cuda:N. " +
                          "Defaults to the MMI_DEVICE environment variable.",
        };
        var preset = new Option<string?>("--preset")
        {
            Description = "Also print parameter counts per part of a model: tiny, small, paper, or a path to a config.json. " +
                          "Counted on libtorch's meta device, so even the paper preset allocates nothing.",
        };
        var command = new Command("info", "Print versions, the compute device, the thread count and which optional data is present.")
        {
            device, preset,
        };
        command.SetAction(parse =>
        {
            var report = EnvironmentReport.Collect(parse.GetValue(device));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("item").AddColumn("value");
            foreach (var (label, value) in report.Rows()) table.AddRow(Markup.Escape(label), Markup.Escape(value));
            AnsiConsole.Write(table);
            if (parse.GetValue(preset) is string name) PrintParameters(name);
            return 0;
        });
        return command;
    }

    private static void PrintParameters(string presetOrPath)
    {
        var config = ModelPresets.Resolve(presetOrPath);
        var table = new Table().Border(TableBorder.Rounded).Title($"parameters of [bold]{Markup.Escape(presetOrPath)}[/]")
            .AddColumn("part").AddColumn(new TableColumn("total").RightAligned()).AddColumn(new TableColumn("trainable").RightAligned());
        static string M(long n) => n >= 1_000_000 ? (n / 1e6).ToString("N1", CultureInfo.InvariantCulture) + " M" : n.ToString("N0", CultureInfo.InvariantCulture);
        void Rows(Table t, IEnumerable<ParameterReport.Part> parts)
        {
            foreach (var part in parts)
                t.AddRow(Markup.Escape(part.Name), $"{M(part.Total)} ({part.Total.ToString("N0", CultureInfo.InvariantCulture)})", M(part.Trainable));
        }
        Rows(table, ParameterReport.Count(config));
        AnsiConsole.Write(table);
        // the generation half of a preset (a config file carries none yet)
        if (!ModelPresets.Names.Contains(presetOrPath.ToLowerInvariant())) return;
        var decoder = new Table().Border(TableBorder.Rounded).Title($"image decoder of [bold]{Markup.Escape(presetOrPath)}[/]")
            .AddColumn("part").AddColumn(new TableColumn("total").RightAligned()).AddColumn(new TableColumn("trainable").RightAligned());
        Rows(decoder, ParameterReport.Count(MMInterleaved.Diffusion.ImageDecoderPresets.For(presetOrPath, config), config.Decoder.HiddenSize));
        AnsiConsole.Write(decoder);
    }
}
