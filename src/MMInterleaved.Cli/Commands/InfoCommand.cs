using System.CommandLine;
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
        var command = new Command("info", "Print versions, the compute device, the thread count and which optional data is present.")
        {
            device,
        };
        command.SetAction(parse =>
        {
            var report = EnvironmentReport.Collect(parse.GetValue(device));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("item").AddColumn("value");
            foreach (var (label, value) in report.Rows()) table.AddRow(Markup.Escape(label), Markup.Escape(value));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
