using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public class GlyphSegmenterTests
{
    private static readonly GlyphSceneSampler Sampler = new(new GlyphSceneOptions(ImageSize: 32, GridSide: 1) { Kinds = GlyphKindSet.Shapes });

    private static (double Trained, double Untrained, double Background) Scores(GlyphSegmenter trained, GlyphSegmenter untrained)
    {
        var a = new MeanIoU(trained.ClassCount);
        var b = new MeanIoU(trained.ClassCount);
        var c = new MeanIoU(trained.ClassCount);
        for (int i = 0; i < 24; i++)
        {
            var scene = Sampler.Sample(SeededRandom.For(99, (ulong)i));   // not the training stream
            var label = SegmentationMap.ClassMask(scene, Sampler.Kinds);
            using var image = scene.Render();
            a.Add(trained.Segment(image), label);
            b.Add(untrained.Segment(image), label);
            c.Add(new int[label.Length], label);
        }
        return (a.Value, b.Value, c.Value);
    }

    [Fact]
    public void A_briefly_trained_segmenter_finds_and_names_the_glyphs_far_better_than_chance_or_all_background()
    {
        var trained = GlyphSegmenter.Train(Sampler, new SegmenterTrainingOptions(Steps: 300, BatchSize: 8, Width: 8));
        manual_seed(1);
        var untrained = new GlyphSegmenter(Sampler.Kinds.Count + 1, 8);
        var (t, u, background) = Scores(trained, untrained);
        Assert.True(t > 0.4 && t > background + 0.2 && t > u + 0.2, $"mIoU trained {t:F3}, untrained {u:F3}, all background {background:F3}");
    }

    [Fact]
    public void The_cache_trains_once_and_loads_the_same_weights()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mmi-seg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new SegmenterTrainingOptions(Steps: 3, BatchSize: 2, Width: 4);
            var first = GlyphSegmenter.ForSampler(Sampler, folder, options);
            Assert.Single(Directory.GetFiles(folder, "*.safetensors"));
            var second = GlyphSegmenter.ForSampler(Sampler, folder, options);
            using var image = Sampler.Sample(SeededRandom.For(5)).Render();
            using var x = image.unsqueeze(0);
            using var a = first.forward(x);
            using var b = second.forward(x);
            Assert.True(a.eq(b).all().item<bool>());
            GlyphSegmenter.ForSampler(Sampler, folder, options with { Steps = 4 });
            Assert.Equal(2, Directory.GetFiles(folder, "*.safetensors").Length);   // other options, other file
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}
