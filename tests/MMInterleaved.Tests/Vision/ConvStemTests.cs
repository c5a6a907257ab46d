using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public class ConvStemTests
{
    private static readonly VisionEncoderConfig Config = new(ImageSize: 32, PatchSize: 4, HiddenSize: 16, NumLayers: 4, NumHeads: 2, IntermediateSize: 32)
    {
        ConvStemWidths = [8, 8, 16, 16],
    };

    [Fact]
    public void Stem_reaches_the_patch_grid_and_replaces_the_patch_convolution()
    {
        using var scope = NewDisposeScope();
        var embeddings = new ClipVisionEmbeddings(Config);
        var keys = embeddings.state_dict();
        Assert.Equal(new long[] { 16, 16, 1, 1 }, keys["patch_embedding.weight"].shape);
        Assert.Equal(new long[] { 8, 3, 3, 3 }, keys["conv_stem.convs.0.weight"].shape);
        Assert.Contains("conv_stem.norms.3.running_mean", keys.Keys);
        Assert.Equal(new long[] { 2, 1 + 64, 16 }, embeddings.forward(rand(2, 3, 32, 32)).shape);
    }

    [Fact]
    public void A_frozen_stem_keeps_its_batch_statistics_in_training_mode()
    {
        using var scope = NewDisposeScope();
        var stem = new ConvStem(3, [4, 4]);
        stem.train();
        var before = stem.state_dict()["norms.0.running_mean"].clone();
        stem.forward(rand(2, 3, 8, 8) + 1);
        Assert.False(stem.state_dict()["norms.0.running_mean"].eq(before).all().item<bool>()); // trainable: statistics move
        foreach (var p in stem.parameters()) p.requires_grad = false;
        var frozen = stem.state_dict()["norms.0.running_mean"].clone();
        stem.forward(rand(2, 3, 8, 8) + 5);
        Assert.True(stem.state_dict()["norms.0.running_mean"].eq(frozen).all().item<bool>());
    }

    [Fact]
    public void Stem_widths_must_fit_the_patch_size()
    {
        var e = Assert.Throws<ArgumentException>(() => (Config with { ConvStemWidths = [8, 8] }).Validated());
        Assert.Contains("ConvStemWidths", e.Message);
        var notPowerOfTwo = Assert.Throws<ArgumentException>(() => (Config with { PatchSize = 6, ImageSize = 36 }).Validated());
        Assert.Contains("power of two", notPowerOfTwo.Message);
    }
}
