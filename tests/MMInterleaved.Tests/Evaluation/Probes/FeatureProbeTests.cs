using MMInterleaved.Evaluation.Probes;
using MMInterleaved.Model;
using MMInterleaved.Training;
using MMInterleaved.Tests.Cli;
using MMInterleaved.Tests.Data;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation.Probes;

/// <summary>Frozen-feature probes: they read what features carry and nothing more, and the command reports them.</summary>
[Collection(TorchCollection.Name)]
public sealed class FeatureProbeTests
{
    private static readonly int Kinds = EncoderPretraining.KindNames.Length + 1, Colours = EncoderPretraining.ColourNames.Length + 1;
    private static readonly ProbeOptions Options = new() { Epochs = 30, LearningRate = 1e-2, TrainScenes = 16 };

    // labels [n,cells] drawn at random; features either encode them (one-hot at 6 SD above unit noise, so an ideal reader
    // is right on nearly every cell) or are pure noise
    private static (Tensor X, Tensor Kinds, Tensor Colours) Cells(int n, int cells, bool informative, long seed)
    {
        var generator = new Generator((ulong)seed);
        var kinds = randint(0, Kinds, [n, cells], generator: generator);
        var colours = randint(0, Colours, [n, cells], generator: generator);
        var noise = randn([n, cells, Kinds + Colours], generator: generator);
        var x = informative ? cat([nn.functional.one_hot(kinds, Kinds), nn.functional.one_hot(colours, Colours)], 2).to(float32) * 6 + noise : noise;
        return (x, kinds, colours);
    }

    [Fact]
    public void A_probe_reads_cells_that_features_carry_and_not_ones_they_do_not()
    {
        using var scope = NewDisposeScope();
        foreach (bool informative in new[] { true, false })
        {
            var (trainX, trainKinds, trainColours) = Cells(300, 4, informative, 1);
            var (testX, testKinds, testColours) = Cells(300, 4, informative, 2);
            var score = FeatureProbe.Fit(ProbeSite.VitTokens, trainX, trainKinds, trainColours, testX, testKinds, testColours, 4, Options);
            if (informative)
            {
                Assert.True(score.GlyphAccuracy > 0.95, $"glyph {score.GlyphAccuracy}");
                Assert.True(score.ColourAccuracy > 0.95, $"colour {score.ColourAccuracy}");
            }
            else   // noise: held-out accuracy stays near chance (1/Kinds, 1/Colours), whatever it memorised
            {
                Assert.True(score.GlyphAccuracy < 2.0 / Kinds + 0.03, $"glyph {score.GlyphAccuracy}");
                Assert.True(score.ColourAccuracy < 2.0 / Colours + 0.03, $"colour {score.ColourAccuracy}");
            }
            Assert.InRange(score.GlyphPrior, 0.5 / Kinds, 2.0 / Kinds);
        }
    }

    [Fact]
    public void Visual_token_probes_give_every_cell_its_own_head()
    {
        using var scope = NewDisposeScope();
        // one image-level vector holds cell c's labels in its own slot: only a per-cell head can read them
        var (trainX, trainKinds, trainColours) = Cells(2000, 3, informative: true, 3);   // ~95 scenes a glyph class for 90 inputs
        var (testX, testKinds, testColours) = Cells(300, 3, informative: true, 4);
        var score = FeatureProbe.Fit(ProbeSite.VisualTokens, trainX.flatten(1), trainKinds, trainColours, testX.flatten(1), testKinds, testColours, 3, Options with { Epochs = 60 });
        Assert.Equal(3 * (Kinds + Colours), score.Features);
        Assert.True(score.GlyphAccuracy > 0.9, $"glyph {score.GlyphAccuracy}");
        Assert.True(score.ColourAccuracy > 0.9, $"colour {score.ColourAccuracy}");
    }

    [Fact]
    public void Probes_of_a_model_report_each_site_at_its_width()
    {
        using var model = new MMInterleavedModel(ModelPresets.Tiny);
        var config = model.Config;
        var scores = FeatureProbe.Run(model, [ProbeSite.VitTokens, ProbeSite.AdapterMap, ProbeSite.VisualTokens], Options with { TrainScenes = 16, TestScenes = 8, Epochs = 1 }, gridSide: 2);
        Assert.Equal([ProbeSite.VitTokens, ProbeSite.AdapterMap, ProbeSite.VisualTokens], scores.Select(s => s.Site));
        Assert.Equal(2 * config.Vision.HiddenSize, scores[0].Features);   // average and max per cell
        Assert.Equal(config.NumImageTokens * config.Decoder.HiddenSize, scores[2].Features);
        Assert.True(model.training);   // left as it was found
    }

    [Fact]
    public void The_probe_command_prints_and_writes_scores_and_names_a_bad_site()
    {
        using var folder = new TempFolder();
        var run = CliRunner.Mmi("probe", "--model", "tiny", "--sites", "vit-tokens", "--train-scenes", "16", "--test-scenes", "8", "--epochs", "1", "--out", folder.File("probe.json"));
        Assert.True(run.Code == 0, run.Output + run.Error);
        Assert.Contains("vit-tokens", run.Output);
        Assert.Contains("\"GlyphAccuracy\"", File.ReadAllText(folder.File("probe.json")));
        var bad = CliRunner.Mmi("probe", "--model", "tiny", "--sites", "pixels");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--sites: pixels", bad.Error);
    }
}
