using MMInterleaved.Data.Glyphs;
using MMInterleaved.Model;
using MMInterleaved.Tests.Cli;
using MMInterleaved.Tests.Data;
using MMInterleaved.Training;
using Xunit;

namespace MMInterleaved.Tests.Training;

/// <summary>The encoder's pre-training objectives: per-cell labels (committed) and isolated glyphs (no cell label).</summary>
[Collection(TorchCollection.Name)]
public sealed class EncoderPretrainingTests
{
    [Fact]
    public void Isolated_glyph_scenes_hold_one_glyph_of_a_grid_glyphs_size_anywhere_in_the_image()
    {
        var grid = EncoderPretraining.SceneFor(EncoderObjective.CellLabels, 64);
        var isolated = EncoderPretraining.SceneFor(EncoderObjective.IsolatedGlyphs, 64);
        Assert.Equal(new GlyphSceneOptions(ImageSize: 64), grid);
        Assert.Equal("data/encoders/small-encoder.safetensors", ModelPresets.SmallEncoderPathAt(64));
        Assert.Equal("data/encoders/small-encoder-isolated-glyphs.safetensors", ModelPresets.SmallEncoderPathAt(64, EncoderObjective.IsolatedGlyphs));
        Assert.Equal("data/encoders/small-encoder-32px-isolated-glyphs.safetensors", ModelPresets.PretrainedEncoderFor("small", ModelPresets.Small with { Vision = ModelPresets.Small.Vision with { ImageSize = 32 } }, EncoderObjective.IsolatedGlyphs));
        Assert.Equal(1, isolated.GridSide);
        Assert.Equal(grid.GlyphHeight, isolated.GlyphHeight, 9);
        var glyphs = Enumerable.Range(0, 200).Select(i => Assert.Single(GlyphScene.Sample(isolated, 5, i).Glyphs)).ToList();
        // the glyph's place is not a cell centre: it spreads over every quarter of the image
        Assert.All(new[] { (false, false), (false, true), (true, false), (true, true) },
            q => Assert.Contains(glyphs, g => (g.CenterX > 32) == q.Item1 && (g.CenterY > 32) == q.Item2));
        // scattered: a 6×6 lattice, glyphs of the same height, about three lattice cells in ten filled
        var scattered = EncoderPretraining.SceneFor(EncoderObjective.ScatteredGlyphs, 64);
        Assert.Equal(EncoderPretraining.ScatterLattice, scattered.GridSide);
        Assert.Equal(grid.GlyphHeight, scattered.GlyphHeight, 9);
        double filled = Enumerable.Range(0, 100).Average(i => GlyphScene.Sample(scattered, 5, i).Glyphs.Count) / 36;
        Assert.InRange(filled, 0.2, 0.4);
        Assert.Equal("data/encoders/small-encoder-scattered-glyphs.safetensors", ModelPresets.SmallEncoderPathAt(64, EncoderObjective.ScatteredGlyphs));
        var batch = EncoderPretraining.MakeBatch(isolated, 5, 0, 3);
        Assert.Equal([3, 1], batch.Kinds.shape);
        Assert.Equal([3, 3, 64, 64], batch.Images.shape);
        Assert.Equal(glyphs.Take(3).Select(g => (long)(int)g.Kind), batch.Kinds.flatten().data<long>().ToArray());
    }

    [Fact]
    public void An_isolated_glyph_encoder_trains_and_saves_what_a_model_loads()
    {
        using var folder = new TempFolder();
        var options = new EncoderPretrainingOptions
        {
            Model = "tiny", Objective = EncoderObjective.IsolatedGlyphs, Steps = 3, BatchSize = 4, WarmupSteps = 1, EvalEvery = 100, EvalScenes = 4,
            OutFile = folder.File("encoder.safetensors"), RunFolder = folder.File("run"),
        };
        var pretraining = new EncoderPretraining(options);
        var metrics = pretraining.Run();
        Assert.InRange(metrics["cell_glyph_accuracy"], 0, 1);
        Assert.True(File.Exists(options.OutFile));
        var model = new MMInterleavedModel(ModelPresets.Tiny);
        model.LoadPretrainedEncoder(options.OutFile);   // throws on a missing or misnamed key
    }

    [Fact]
    public void The_committed_scattered_glyph_encoder_loads_into_the_small_preset()
    {
        var model = new MMInterleavedModel(ModelPresets.Small);
        string file = model.LoadPretrainedEncoder(ModelPresets.SmallEncoderPathAt(64, EncoderObjective.ScatteredGlyphs));
        Assert.EndsWith("small-encoder-scattered-glyphs.safetensors", file);
    }

    [Fact]
    public void An_unknown_objective_is_one_line_naming_the_option()
    {
        var bad = CliRunner.Mmi("pretrain-encoder", "--preset", "tiny", "--objective", "faces");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--objective: faces is not an encoder objective (cells, isolated-glyphs, scattered-glyphs)", bad.Error);
        var reproduce = CliRunner.Mmi("reproduce", "token-efficiency", "--quick", "--encoder-objective", "faces");
        Assert.Equal(2, reproduce.Code);
        Assert.Contains("--encoder-objective: faces", reproduce.Error);
    }
}
