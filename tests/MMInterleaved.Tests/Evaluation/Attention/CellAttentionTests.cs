using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Evaluation.Attention;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Tests.Cli;
using MMInterleaved.Tests.Data;
using System.Text.Json.Nodes;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation.Attention;

/// <summary>Where MMFS looks: points binned by cell, the position-matched control, and the measurement on a model.</summary>
[Collection(TorchCollection.Name)]
public sealed class CellAttentionTests
{
    [Fact]
    public void Points_count_for_the_cell_they_fall_in_and_points_off_the_image_for_none()
    {
        // 2 heads, 1 level, 3 points on a 4×4 grid: head 0 in row 1, column 2 (twice) and on the image's left edge of
        // row 0; head 1 at x = 1 (just off the right edge), above the image, and in the last cell
        var locations = tensor(new double[] { 2.5 / 4, 1.5 / 4, 2.9 / 4, 1.1 / 4, 0, 0.1, 1.0, 0.5, 0.5, -0.01, 0.99, 0.99 }).reshape(2, 1, 3, 2);
        var weights = tensor(new double[] { 0.2, 0.3, 0.1, 0.05, 0.15, 0.25 }).reshape(2, 1, 3);
        var mass = CellAttention.CellMass(locations, weights, side: 4);
        Assert.Equal(2, mass.GetLength(0));
        Assert.Equal(17, mass.GetLength(1));
        Assert.Equal(0.5, mass[0, 1 * 4 + 2], 12);
        Assert.Equal(0.1, mass[0, 0], 12);
        Assert.Equal(0.05 + 0.15, mass[1, 16], 12);
        Assert.Equal(0.25, mass[1, 15], 12);
        Assert.Equal(weights.sum().item<double>(), Enumerable.Range(0, 2).Sum(h => Enumerable.Range(0, 17).Sum(c => mass[h, c])), 12);
    }

    [Fact]
    public void A_cells_box_holds_exactly_the_pixel_centres_its_bin_counts_and_the_asked_cell_is_read_from_row_column()
    {
        const int side = 4, size = 64;
        for (int cell = 0; cell < side * side; cell++)
        {
            var box = CellAttention.CellBox(cell, side, size);
            Assert.Equal((16, 16), (box.Width, box.Height));
            // a point at pixel centre (x, y) has location ((x + 0.5) / size, ...); CellMass must bin it to this cell iff the box holds the pixel
            foreach (var (x, y) in new[] { (box.X1, box.Y1), (box.X2 - 1, box.Y2 - 1), (box.X1 - 1, box.Y1), (box.X1, box.Y2) })
            {
                if (x < 0 || y < 0 || x >= size || y >= size) continue;
                var mass = CellAttention.CellMass(tensor(new[] { (x + 0.5) / size, (y + 0.5) / size }).reshape(1, 1, 1, 2), ones(1, 1, 1, dtype: float64), side);
                Assert.Equal(box.Contains(x, y) ? 1.0 : 0.0, mass[0, cell]);
            }
        }
        Assert.Equal(2 * 4 + 1, CellAttention.AskedCell("3,2", 4));
        Assert.Throws<InvalidOperationException>(() => CellAttention.AskedCell("3", 4));
    }

    // a layer whose heads all put `inCell` of their mass in `cell` and the rest off the image, null weight 0.1
    private static (double[,] Mass, double[] Null) Looking(int cell, double inCell = 0.9)
    {
        var mass = new double[2, 17];
        for (int h = 0; h < 2; h++) { mass[h, cell] = inCell; mass[h, 16] = 0.9 - inCell; }
        return (mass, [0.1, 0.1]);
    }

    [Fact]
    public void A_layer_that_always_looks_at_one_place_scores_its_control_and_one_that_looks_where_asked_lifts()
    {
        int[] asked = [.. Enumerable.Range(0, 48).Select(i => i % 16)];
        // fixed gaze on cell 5: cell 5 gets everything whatever is asked, so asked and control agree (lift 1)
        var fixedGaze = CellAttention.Summarise(0, asked, [.. asked.Select(_ => Looking(5))], side: 4);
        Assert.Equal(1.0 / 16, fixedGaze.InAskedCell, 12);
        Assert.Equal(1.0 / 16, fixedGaze.InCellOtherwise, 12);
        Assert.Equal(1, fixedGaze.Lift, 12);
        Assert.Equal(1, fixedGaze.InImage, 12);
        Assert.Equal(1.0 / 16, fixedGaze.ByArea, 12);
        Assert.Equal(0.1, fixedGaze.NullShare, 12);
        // looking at the asked cell, two thirds of the image mass in it and the rest off the image
        var steered = CellAttention.Summarise(1, asked, [.. asked.Select(k => Looking(k, 0.6))], side: 4);
        Assert.Equal(2.0 / 3, steered.InAskedCell, 12);
        Assert.Equal(0, steered.InCellOtherwise, 12);
        Assert.Equal(2.0 / 3, steered.InImage, 12);
        Assert.Equal(2, steered.PerHead.Count);
        Assert.All(steered.PerHead, v => Assert.Equal(2.0 / 3, v, 12));
        Assert.Throws<ArgumentException>(() => CellAttention.Summarise(0, [1], [], side: 4));
    }

    private static MMInterleavedPipeline Tiny(ModelConfig? config = null)
    {
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(1, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32)));
        var tokenizer = WordTokenizer.FromCorpus(task.Take(100).SelectMany(d => d.Segments.OfType<TextSegment>().Select(t => t.Text)),
            ModelPresets.Tiny.Decoder.VocabSize, keepMostFrequent: true);
        manual_seed(2);
        return new MMInterleavedPipeline(new MMInterleavedModel(config ?? ModelPresets.Tiny), tokenizer);
    }

    [Fact]
    public void A_model_is_measured_per_mmfs_layer_on_held_out_cell_questions()
    {
        var pipeline = Tiny();
        var scores = CellAttention.Measure(pipeline, new CellAttentionOptions { Questions = 12, Split = DataSplit.Validation });
        var cross = ModelPresets.Tiny.CrossAttention;
        Assert.Equal(Enumerable.Range(0, ModelPresets.Tiny.Decoder.NumLayers).Count(cross.HasLayer), scores.Count);
        Assert.Equal(Enumerable.Range(0, scores.Count), scores.Select(s => s.Layer));
        Assert.All(scores, s =>
        {
            Assert.Equal(12, s.Questions);
            Assert.InRange(s.InImage, 0, 1);
            Assert.Equal(s.InImage / 16, s.ByArea, 12);
            Assert.InRange(s.NullShare, 0, 1);
            Assert.Equal(cross.NumHeads, s.PerHead.Count);
        });
        Assert.Contains("Train", Assert.Throws<ArgumentException>(() => new CellAttentionOptions { Split = DataSplit.Train }.Validated()).Message);
    }

    [Fact]
    public void The_command_measures_a_folder_and_each_kept_checkpoint_and_refuses_bad_input_in_one_line()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        Tiny().SavePretrained(run);
        foreach (string step in new[] { "checkpoint-000002", "checkpoint-000010" })
        {
            Directory.CreateDirectory(Path.Combine(run, step));
            File.Copy(Path.Combine(run, ModelCheckpoint.WeightsFile), Path.Combine(run, step, ModelCheckpoint.WeightsFile));
        }
        string file = folder.File("attention.json");
        var result = CliRunner.Mmi("attention", "--model", run, "--every-checkpoint", "--questions", "4", "--split", "validation", "--threads", "1", "--out", file);
        Assert.True(result.Code == 0, result.Output + result.Error);
        Assert.Contains("asked cell", result.Output);
        var measured = JsonNode.Parse(File.ReadAllText(file))!["Measured"]!.AsArray();
        Assert.Equal([2, 10, (int?)null], measured.Select(m => m!["Step"]?.GetValue<int>()));
        Assert.Equal("Validation", JsonNode.Parse(File.ReadAllText(file))!["Split"]!.GetValue<string>());
        // the same weights thrice: the same numbers
        Assert.Equal(measured[0]!["Layers"]!.ToJsonString(), measured[2]!["Layers"]!.ToJsonString());

        var bad = CliRunner.Mmi("attention", "--model", run, "--split", "train");
        Assert.Equal(2, bad.Code);
        Assert.Single(bad.Error.Trim().Split('\n'));
        string blind = folder.File("blind");
        Tiny(ModelPresets.Tiny with { CrossAttention = ModelPresets.Tiny.CrossAttention with { Enabled = false } }).SavePretrained(blind);
        var none = CliRunner.Mmi("attention", "--model", blind, "--questions", "2", "--split", "validation");
        Assert.Equal(2, none.Code);
        Assert.Contains("no deformable MMFS layer", none.Error);
    }
}
