using MMInterleaved.Benchmarks;
using MMInterleaved.Model;
using MMInterleaved.Vision;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

/// <summary>The LLaVA-style baseline (<see cref="ModelConfig.UsePatchTokens"/>, issue 17): one visual token per ViT patch,
/// read from the image, with the config's agreement checked and the reference configs untouched.</summary>
[Collection(TorchCollection.Name)]
public class PatchTokensTests
{
    private static readonly ModelConfig Tiny = ModelPresets.Tiny;
    private static ModelConfig Patches => Tiny.WithNumImageTokens(Tiny.GridSide * Tiny.GridSide) with { UseResampler = false, UsePatchTokens = true };

    [Fact]
    public void Every_patch_becomes_a_token_that_depends_on_the_image()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var tokenizer = new VisualTokenizer(Patches.Validated());
        Assert.DoesNotContain(tokenizer.state_dict().Keys, k => k.StartsWith("perceiver_resampler", StringComparison.Ordinal) || k == "learned_queries");
        Assert.Equal([Tiny.Decoder.HiddenSize, Tiny.Vision.HiddenSize], tokenizer.state_dict()["proj.weight"].shape);
        int size = Tiny.Vision.ImageSize;
        using var noGrad = no_grad();
        var images = rand(2, 3, size, size);
        var tokens = tokenizer.forward(images).VisualTokens;
        Assert.Equal([2, Tiny.GridSide * Tiny.GridSide, Tiny.Decoder.HiddenSize], tokens.shape);
        // two images give different tokens (learned queries would give the same), and each patch its own
        Assert.True((tokens[0] - tokens[1]).abs().max().item<float>() > 1e-6f);
        Assert.True((tokens[0, 0] - tokens[0, 1]).abs().max().item<float>() > 1e-6f);
    }

    [Fact]
    public void Config_needs_the_resampler_off_and_one_token_per_patch()
    {
        var both = Assert.Throws<ArgumentException>(() => (Patches with { UseResampler = true }).Validated());
        Assert.Contains("use_resampler", both.Message);
        var count = Assert.Throws<ArgumentException>(() => Patches.WithNumImageTokens(8).Validated());
        Assert.Contains($"resampler.num_queries is 8; set it to {Tiny.GridSide * Tiny.GridSide}", count.Message);
    }

    [Fact]
    public void Config_json_names_the_switch_only_when_on()
    {
        Assert.DoesNotContain("use_patch_tokens", Tiny.ToJson());
        string json = Patches.ToJson();
        Assert.Contains("\"use_patch_tokens\": true", json);
        Assert.True(ModelConfig.FromJson(json).UsePatchTokens);
    }

    [Fact]
    public void Flops_count_the_projection_of_every_patch_and_no_resampler()
    {
        var macs = ModelFlops.ForwardMacs(Patches, rows: 1, length: 80, images: 1, imagesPerRow: 1);
        Assert.False(macs.ContainsKey("resampler"));
        double k = Tiny.GridSide * Tiny.GridSide;
        Assert.Equal(k * Tiny.Vision.HiddenSize * Tiny.Decoder.HiddenSize, macs["visual projection"]);
    }
}
