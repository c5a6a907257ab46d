using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public class ImageSimilarityTests
{
    private static Tensor Scenes(int seed, int count, GlyphSceneOptions options)
    {
        var sampler = new GlyphSceneSampler(options);
        return stack(Enumerable.Range(0, count).Select(i => sampler.Sample(SeededRandom.For((ulong)seed, (ulong)i)).Render()).ToArray());
    }

    [Fact]
    public void A_frame_is_closer_to_itself_redrawn_than_to_another_frame_with_the_committed_encoder()
    {
        using var similarity = ImageSimilarity.ForImageSize(32);
        var options = new GlyphSceneOptions(ImageSize: 32, GridSide: 2);
        using var frames = Scenes(5, 12, options);
        manual_seed(0);
        using var redrawn = (frames + 0.05 * randn_like(frames)).clamp(0, 1);    // the same content, other pixels
        using var others = frames.roll(1, 0);                                      // another frame of the same kind
        double[] same = similarity.Cosines(redrawn, frames), different = similarity.Cosines(others, frames);
        double[] self = similarity.Cosines(frames, frames);
        Assert.All(self, c => Assert.Equal(1.0, c, 5));
        int wins = same.Zip(different).Count(p => p.First > p.Second);
        Assert.True(wins >= 11, $"the redrawn frame was closer in {wins} of 12 pairs (same {same.Average():F3}, different {different.Average():F3})");
    }

    [Fact]
    public void The_centred_cosine_is_the_cosine_of_features_minus_the_references_mean_and_spreads_what_the_plain_one_crowds()
    {
        using var similarity = ImageSimilarity.ForImageSize(32);
        var options = new GlyphSceneOptions(ImageSize: 32, GridSide: 2);
        using var frames = Scenes(7, 12, options);
        using var others = frames.roll(1, 0);
        double[] centred = similarity.CentredCosines(others, frames);
        // an independent computation: the features by hand, the mean of the references', cosines row by row
        using var a = similarity.Features(others);
        using var b = similarity.Features(frames);
        using var mean = b.mean([0L], keepdim: true);
        using var x = (a - mean).to(float64);
        using var y = (b - mean).to(float64);
        for (int i = 0; i < 12; i++)
        {
            double dot = (x[i] * y[i]).sum().item<double>(), norms = x[i].norm().item<double>() * y[i].norm().item<double>();
            Assert.Equal(dot / norms, centred[i], 6);
        }
        Assert.All(similarity.CentredCosines(frames, frames), c => Assert.Equal(1.0, c, 5));
        // another scene scores far below 1 centred, though near 1 plain
        Assert.True(centred.Average() < similarity.Cosines(others, frames).Average() - 0.2,
            $"centred {centred.Average():F3}, plain {similarity.Cosines(others, frames).Average():F3}");
        using var centre = similarity.Centre(frames);
        Assert.Equal(centred, similarity.CentredCosines(others, frames, centre));
        using var one = frames.narrow(0, 0, 1);
        Assert.Throws<ArgumentException>(() => similarity.CentredCosines(one, one));
    }

    [Fact]
    public void Features_are_unit_length_and_the_wrong_image_size_is_refused_with_the_shape()
    {
        using var similarity = ImageSimilarity.ForImageSize(32);
        using var frames = Scenes(6, 3, new GlyphSceneOptions(ImageSize: 32, GridSide: 1));
        using var features = similarity.Features(frames);
        using var norms = features.norm(1);
        Assert.True(allclose(norms, ones_like(norms), rtol: 1e-5, atol: 1e-5));
        using var big = zeros(2, 3, 64, 64);
        var e = Assert.Throws<ArgumentException>(() => similarity.Features(big));
        Assert.Contains("[2, 3, 64, 64]", e.Message);
        Assert.Throws<FileNotFoundException>(() => ImageSimilarity.ForImageSize(48));
        Assert.Null(ImageSimilarity.TryForImageSize(48));                                 // the story scorer then falls back to the model's encoder
        using var committed = ImageSimilarity.TryForImageSize(32);
        Assert.Equal(32, committed!.ImageSize);
    }
}
