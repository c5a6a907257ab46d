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
        command.Subcommands.Add(BuildImageDecoder());
        return command;
    }

    private static Command BuildImageDecoder()
    {
        var preset = new Option<string>("--preset") { Description = "Image decoder of this preset: tiny (32 px) or small (64 px).", DefaultValueFactory = _ => "small" };
        var batch = new Option<int>("--batch") { Description = "Images per training step and per sampling batch.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per variant after one warm-up; medians are reported.", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--sampling-steps") { Description = "DDIM steps of the timed sampling (guidance 7.5: two UNet halves per step).", DefaultValueFactory = _ => 10 };
        var memory = new Option<int>("--memory-steps") { Description = "Also run this many training steps with MMFSNet and report resident memory every 100 (0: skip).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var json = new Option<string?>("--json") { Description = "Also write the full results (every sample) to this JSON file." };
        var command = new Command("image-decoder",
            "Time the image decoder's training step (diffusion loss, backward, AdamW) and sampling (DDIM with guidance) for the plain UNet, " +
            "the UNet with MMFSNet reading one image, and with no image visible, as ratios in one process; optionally check memory stays flat.")
        {
            preset, batch, repeats, steps, memory, threads, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int n) torch.set_num_threads(n);
            string name = parse.GetValue(preset)!;
            if (name is not ("tiny" or "small")) throw new ArgumentException($"--preset {name}: the image-decoder bench runs tiny or small (paper's SD UNet does not train on this machine).");
            var report = AnsiConsole.Status().Start("timing", ctx => ImageDecoderBenchmark.Run(name, parse.GetValue(batch), parse.GetValue(repeats),
                parse.GetValue(steps), parse.GetValue(memory), progress: s => ctx.Status(Markup.Escape(s))));
            var table = new Table().Border(TableBorder.Rounded)
                .Title(string.Create(CultureInfo.InvariantCulture, $"image decoder [bold]{report.Preset}[/], batch {report.Batch}, {report.Threads} thread(s), medians"))
                .AddColumn("variant").AddColumn(new TableColumn("train step ms").RightAligned()).AddColumn(new TableColumn($"sampling ms ({report.SamplingSteps} DDIM steps)").RightAligned())
                .AddColumn(new TableColumn("step ÷ plain").RightAligned()).AddColumn(new TableColumn("sampling ÷ plain").RightAligned());
            var plain = report.Row(ImageDecoderBenchmark.Plain);
            foreach (var row in report.Rows)
                table.AddRow(Markup.Escape(row.Variant), row.StepMs.ToString("F0", CultureInfo.InvariantCulture), row.SamplingMs.ToString("F0", CultureInfo.InvariantCulture),
                    (row.StepMs / plain.StepMs).ToString("F2", CultureInfo.InvariantCulture), (row.SamplingMs / plain.SamplingMs).ToString("F2", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            if (report.MemoryMb.Count > 0)
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"resident memory over {report.MemoryMb[^1].Step} training steps: {string.Join(", ", report.MemoryMb.Select(m => $"{m.Step}: {m.Mb:F0}"))} MB; growth first→last {report.MemoryGrowthMb:+0;-0} MB")));
            if (parse.GetValue(json) is string path)
            {
                var rows = report.Rows.Select(r => new { r.Variant, r.StepMs, r.SamplingMs, r.StepSamples, r.SamplingSamples });
                File.WriteAllText(path, JsonSerializer.Serialize(new { report.Preset, report.Batch, report.SamplingSteps, report.GuidanceScale, report.Threads, Rows = rows,
                    Memory = report.MemoryMb.Select(m => new { m.Step, m.Mb }), report.MemoryGrowthMb }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        });
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
