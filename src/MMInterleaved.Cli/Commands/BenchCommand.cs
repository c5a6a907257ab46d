using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MMInterleaved.Benchmarks;
using MMInterleaved.Runtime;
using Spectre.Console;
using TorchSharp;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi bench ...`: speed measurements, as ratios against baselines run in the same process.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Build()
    {
        var command = new Command("bench", "Measure speed as ratios against baselines run in the same process.");
        command.Subcommands.Add(BuildMmfs());
        return command;
    }

    private static Command BuildMmfs()
    {
        var shapes = new Option<string[]>("--shape")
        {
            Description = "Problem sizes to time: small (query 256, 4 images, 128 tokens), paper (the paper's decoder MMFS: " +
                          "query 5120, 8 images, 256 tokens; about 3 minutes on 2 cores) or tiny (seconds). Repeatable.",
            DefaultValueFactory = _ => ["small", "paper"],
            AllowMultipleArgumentsPerToken = true,
        };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per variant after one warm-up; medians are reported.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:N (default: MMI_DEVICE, else auto)." };
        var json = new Option<string?>("--json") { Description = "Also write the full results (every sample) to this JSON file." };
        var command = new Command("mmfs",
            "Time MMFS forward and forward+backward: (a) the core and the synchronizer as built, (b) a straightforward " +
            "formulation mirroring the reference (query repeated per image, one sampling call per image and level), (c) dense " +
            "cross-attention over the same feature maps; plus the float32 matmul rate and (a)'s matmul floor.")
        {
            shapes, repeats, threads, device, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            int r = parse.GetValue(repeats);
            if (r < 1) throw new ArgumentException($"--repeats is {r}; it must be at least 1.");
            var dev = DeviceSelection.Resolve(parse.GetValue(device));
            var reports = new List<MmfsBenchReport>();
            foreach (var name in parse.GetValue(shapes)!)
            {
                var shape = MmfsBenchShape.Named(name);
                reports.Add(AnsiConsole.Status().Start($"timing {shape.Name}", ctx =>
                    MmfsBenchmark.Run(shape, r, dev, progress: s => ctx.Status(Markup.Escape(s)))));
                Print(reports[^1]);
            }
            if (parse.GetValue(json) is string path)
            {
                File.WriteAllText(path, JsonSerializer.Serialize(reports, new JsonSerializerOptions { WriteIndented = true }));
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        });
        return command;
    }

    private static void Print(MmfsBenchReport report)
    {
        static string F(double x) => x.ToString(x >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"MMFS bench, shape [bold]{report.Shape}[/], {report.Threads} thread(s), medians")
            .AddColumn("variant").AddColumn(new TableColumn("forward ms").RightAligned()).AddColumn(new TableColumn("fwd+bwd ms").RightAligned())
            .AddColumn(new TableColumn("fwd ÷ (a)").RightAligned()).AddColumn(new TableColumn("fwd+bwd ÷ (a)").RightAligned());
        var a = report.Row(MmfsBenchmark.Synchronizer);
        var core = report.Row(MmfsBenchmark.CoreBatched);
        foreach (var row in report.Rows)
        {
            var baseline = row.Variant.StartsWith("core", StringComparison.Ordinal) ? core : a;
            table.AddRow(Markup.Escape(row.Variant), F(row.ForwardMs), F(row.ForwardBackwardMs),
                (row.ForwardMs / baseline.ForwardMs).ToString("F2", CultureInfo.InvariantCulture),
                (row.ForwardBackwardMs / baseline.ForwardBackwardMs).ToString("F2", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"float32 matmul rate {report.MatmulGflops:F1} GFLOP/s; (a) does {report.SynchronizerForwardMacs / 1e9:F2} G multiply-adds forward: " +
            $"floor {report.ForwardFloorMs:F1} ms fwd, {report.ForwardBackwardFloorMs:F1} ms fwd+bwd; (a) is " +
            $"[bold]{a.ForwardMs / report.ForwardFloorMs:F2}×[/] its floor forward and [bold]{a.ForwardBackwardMs / report.ForwardBackwardFloorMs:F2}×[/] forward+backward; " +
            $"(a) vs (b) outputs differ by {report.MaxRelativeDifference:E1} (relative)."));
    }
}
