using MMInterleaved.Benchmarks;
using MMInterleaved.Experiments;
using MMInterleaved.Model;
using Xunit;

namespace MMInterleaved.Tests.Benchmarks;

public sealed class ModelFlopsTests
{
    [Fact]
    public void Tiny_preset_counts_equal_a_hand_count()
    {
        var c = ModelPresets.Tiny;
        // the sizes the hand count below assumes
        Assert.Equal((64, 64, 128, 2, 4), (c.Decoder.VocabSize, c.Decoder.HiddenSize, c.Decoder.IntermediateSize, c.Decoder.NumLayers, c.Decoder.NumHeads));
        Assert.Equal((32, 8, 32), (c.Vision.HiddenSize, c.GridSide, c.Vision.ImageSize));
        Assert.Equal((4, 32, 32, 2, 64, 2), (c.Resampler.NumQueries, c.Resampler.HiddenSize, c.Resampler.EncoderHiddenSize, c.Resampler.NumLayers, c.Resampler.IntermediateSize, c.Resampler.CrossAttentionFrequency));
        Assert.Equal((2, 4, 2, 8), (c.CrossAttention.Frequency, c.CrossAttention.NumHeads, c.CrossAttention.NumPoints, c.CrossAttention.MaxImagesPerSequence));
        Assert.Equal([1, 2, 3], c.CrossAttention.FeatureLevels);

        var macs = ModelFlops.ForwardMacs(c, rows: 1, length: 10, images: 1, imagesPerRow: 1);
        // resampler, 65 encoder tokens (8×8 + CLS), 4 queries of width 32: pos_proj 65·32·32 = 66,560;
        // layer 0: self 4·4·32² + 2·4²·32 = 17,408, cross 4·2·32² + 2·65·32·32 + 2·4·65·32 = 157,952, FFN 2·4·32·64 = 16,384;
        // layer 1 (no cross-attention): 17,408 + 16,384
        Assert.Equal(66_560 + 17_408 + 157_952 + 16_384 + 17_408 + 16_384, macs["resampler"]);
        Assert.Equal(4 * 32 * 64, macs["visual projection"]);
        // 2 layers × (10 tokens · 4·64·64 projections + 2·10²·64 attention)
        Assert.Equal(2 * (10 * 4 * 64 * 64 + 2 * 100 * 64), macs["decoder self-attention"]);
        Assert.Equal(2 * 10 * 3 * 64 * 128, macs["decoder MLP"]);
        // one MMFS layer (layer 0): value_proj on 16²+8²+4² = 336 positions of width 32; dynamic mask 10·64²;
        // offsets (10+8)·64·4·2·2; logits (10+8)·64·4·3·3; taps 10·4 heads·1 image·3 levels·2 points·8 channels·5; output 10·32·64
        Assert.Equal(336 * 32 * 32 + 10 * 64 * 64 + 18 * 64 * 16 + 18 * 64 * 36 + 10 * 4 * 3 * 2 * 8 * 5 + 10 * 32 * 64, macs["MMFS"]);
        Assert.Equal(10 * 64 * 64, macs["text head"]);
    }

    [Fact]
    public void Switching_mmfs_off_removes_its_term_and_more_tokens_cost_the_resampler_and_the_decoder()
    {
        var small = ModelPresets.Small;
        var with = ModelFlops.ForwardMacs(small, 16, 97, 16, 1);
        var without = ModelFlops.ForwardMacs(AblationVariant.WithMmfs(small, false), 16, 97, 16, 1);
        Assert.False(without.ContainsKey("MMFS"));
        Assert.Equal(with["decoder MLP"], without["decoder MLP"]);
        var many = ModelFlops.ForwardMacs(AblationVariant.WithMmfs(small.WithNumImageTokens(64), false), 16, 153, 16, 1);
        Assert.True(many["resampler"] > without["resampler"]);
        Assert.True(many["decoder self-attention"] > without["decoder self-attention"]);
    }
}
