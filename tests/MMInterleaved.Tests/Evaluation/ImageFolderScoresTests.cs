using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Images;
using MMInterleaved.Evaluation;
using MMInterleaved.Evaluation.Inception;
using MMInterleaved.Tests.Data;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public sealed class ImageFolderScoresTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly GlyphSceneSampler sampler = new(new GlyphSceneOptions(ImageSize: 32, GridSide: 1) { Kinds = GlyphKindSet.Shapes });

    public void Dispose() => folder.Dispose();

    private string Write(string name, int seed, int count, bool maps = false)
    {
        string dir = Directory.CreateDirectory(folder.File(name)).FullName;
        for (int i = 0; i < count; i++)
        {
            var scene = sampler.Sample(SeededRandom.For((ulong)seed, (ulong)i));
            using var image = maps ? SegmentationMap.Render(SegmentationMap.ClassMask(scene, sampler.Kinds), 32) : scene.Render();
            File.WriteAllBytes(Path.Combine(dir, $"{i:D2}.png"), ImageTensors.EncodePng(image));
        }
        return dir;
    }

    private ImageFolderScoreOptions Options(string? maps = null, string? inception = null) => new(1, maps, inception,
        folder.File("segmenters"), new SegmenterTrainingOptions(Steps: 300, BatchSize: 8, Width: 8)) { Kinds = GlyphKindSet.Shapes };

    [Fact]
    public void The_references_score_perfectly_against_themselves_and_other_scenes_score_worse()
    {
        string truth = Write("truth", 1, 10), maps = Write("maps", 1, 10, maps: true), other = Write("other", 2, 10);
        var options = Options(maps) with { InceptionWeights = null };
        Environment.SetEnvironmentVariable(FidInceptionV3.WeightsVariable, null);
        var self = ImageFolderScores.Score(truth, truth, options);
        var wrong = ImageFolderScores.Score(other, truth, options);
        Assert.Equal(10, self["count"]);
        Assert.Equal(1.0, self["similarity"], 5);
        Assert.True(wrong["similarity"] < 0.99, $"similarity of other scenes {wrong["similarity"]}");
        Assert.Equal(1.0, self["similarity_centred"], 5);
        Assert.True(wrong["similarity_centred"] < wrong["similarity"], $"centred {wrong["similarity_centred"]}, plain {wrong["similarity"]}");
        Assert.True(Math.Abs(self["fid_glyph"]) < 1e-6, $"FID-glyph of a set with itself {self["fid_glyph"]}");
        Assert.True(wrong["fid_glyph"] > 0.01);
        Assert.Equal(self["miou_real"], self["miou"], 12);
        Assert.True(self["miou"] > wrong["miou"] + 0.2, $"mIoU own {self["miou"]:F3}, other scenes {wrong["miou"]:F3}");
        Assert.False(self.ContainsKey("fid"));
    }

    [Fact]
    public void With_inception_weights_the_real_fid_is_reported()
    {
        string truth = Write("truth", 3, 4), other = Write("other", 4, 4);
        manual_seed(2);
        using (var net = new FidInceptionV3()) Safetensors.SaveStateDict(folder.File("inception.safetensors"), net.state_dict());
        var options = Options(inception: folder.File("inception.safetensors"));
        var self = ImageFolderScores.Score(truth, truth, options);
        var wrong = ImageFolderScores.Score(other, truth, options);
        Assert.True(Math.Abs(self["fid"]) < 1e-4, $"FID of a set with itself {self["fid"]}");
        Assert.True(wrong["fid"] > self["fid"]);
    }

    [Fact]
    public void A_generated_image_without_a_reference_is_named()
    {
        string truth = Write("truth", 1, 3), generated = Write("generated", 1, 4);
        var e = Assert.Throws<ArgumentException>(() => ImageFolderScores.Score(generated, truth, Options()));
        Assert.Contains("'03'", e.Message);
        Assert.Contains(truth, e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolderScores.Score(folder.File("absent"), truth, Options()));
    }
}
