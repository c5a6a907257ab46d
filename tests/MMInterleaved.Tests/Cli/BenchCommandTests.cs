using System.Text.Json;
using MMInterleaved.Benchmarks;
using MMInterleaved.Cli;
using MMInterleaved.Mmfs;
using Spectre.Console;
using Xunit;

namespace MMInterleaved.Tests.Cli;

[Collection(TorchCollection.Name)]
public class BenchCommandTests
{
    [Fact]
    public void Bench_mmfs_reports_every_variant_and_agreeing_formulations()
    {
        string json = Path.Combine(Path.GetTempPath(), $"mmi-bench-{Guid.NewGuid():N}.json");
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No });
        try
        {
            Assert.Equal(0, Program.Main(["bench", "mmfs", "--shape", "tiny", "--repeats", "1", "--json", json]));
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        var report = document.RootElement[0];
        Assert.Equal("tiny", report.GetProperty("Shape").GetString());
        var variants = report.GetProperty("Rows").EnumerateArray().Select(r => r.GetProperty("Variant").GetString()).ToList();
        Assert.Equal([MmfsBenchmark.CoreBatched, MmfsBenchmark.CoreGridSample, MmfsBenchmark.CorePerLevel, MmfsBenchmark.Synchronizer, MmfsBenchmark.Straightforward, MmfsBenchmark.Dense], variants);
        Assert.True(report.GetProperty("MaxRelativeDifference").GetDouble() < 1e-5); // (a) and (b) compute the same thing
        Assert.True(report.GetProperty("MatmulGflops").GetDouble() > 0);
        Assert.Contains("matmul rate", writer.ToString());
    }

    [Fact]
    public void Bench_image_decoder_times_every_variant_and_records_memory_along_the_loop()
    {
        string json = Path.Combine(Path.GetTempPath(), $"mmi-bench-decoder-{Guid.NewGuid():N}.json");
        var (code, output, error) = CliRunner.Mmi(["bench", "image-decoder", "--preset", "tiny", "--batch", "1", "--repeats", "1", "--sampling-steps", "1",
            "--memory-steps", "100", "--json", json]);
        Assert.True(code == 0, output + error);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        var rows = document.RootElement.GetProperty("Rows").EnumerateArray().ToList();
        Assert.Equal([ImageDecoderBenchmark.Plain, ImageDecoderBenchmark.WithMmfs, ImageDecoderBenchmark.Masked], rows.Select(r => r.GetProperty("Variant").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("StepMs").GetDouble() > 0 && r.GetProperty("SamplingMs").GetDouble() > 0));
        Assert.Equal(100, document.RootElement.GetProperty("Memory")[0].GetProperty("Step").GetInt32());
        Assert.Contains("resident memory", output);
        var bad = CliRunner.Mmi(["bench", "image-decoder", "--preset", "paper"]);
        Assert.Equal(2, bad.Code);
        Assert.Contains("--preset paper", bad.Error);
    }

    [Fact]
    public void Analytic_multiply_add_count_matches_a_hand_count_at_the_tiny_shape()
    {
        var shape = MmfsBenchShape.Tiny; // query 32, value width 16, features 24, 2 heads, 2 points, levels 8/4, 3 images, 16 tokens
        var options = new MmfsOptions(DModel: 32, DQuery: 32, DValue: 24, DOut: 32, NumLevels: 2, NumHeads: 2, NumPoints: 2, Ratio: 0.5,
            SpatialShapes: [8, 4], BaseSpatialShape: 4, MaxImagesPerSequence: 50);
        double value = 3 * 80 * 24 * 16;          // 3 images × (64+16) positions × 24 → 16
        double dynamic = 16 * 32 * 32;
        double offsets = (16 + 50) * 32 * 8;      // 2 heads × 2 points × 2 coordinates
        double logits = (16 + 50) * 32 * 12;      // 2 heads × 2 levels × 3 (points + null)
        double sampling = 16 * 2 * 3 * 2 * 2 * 8 * 5;
        double output = 16 * 16 * 32;
        Assert.Equal(value + dynamic + offsets + logits + sampling + output, MmfsBenchmark.ForwardMacs(shape, options));
    }

    [Fact]
    public void Unknown_shape_names_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => MmfsBenchShape.Named("huge"));
        Assert.Contains("small, paper or tiny", e.Message);
    }
}
