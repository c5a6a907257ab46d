using MMInterleaved.Language;
using MMInterleaved.Model;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Model;

/// <summary>Every ablation switch of the comprehension side builds, trains (loss and cross-attention gradients are finite
/// and non-zero) and changes what it claims to change.</summary>
[Collection(TorchCollection.Name)]
public class AblationSwitchTests
{
    private static readonly ModelConfig Tiny = ModelPresets.Tiny;

    public static TheoryData<string> Variants() => new() { "reference", "tokens-8", "dense-feature-map", "dense-resampler-tokens", "single-scale", "nearest-image", "no-resampler", "patch-tokens", "resolution-64", "no-mmfs" };

    internal static ModelConfig Variant(string name) => name switch
    {
        "reference" => Tiny,
        "tokens-8" => Tiny.WithNumImageTokens(8),
        "dense-feature-map" => Tiny with { CrossAttention = Tiny.CrossAttention with { Kind = CrossAttentionKind.DenseFeatureMap } },
        "dense-resampler-tokens" => Tiny with { CrossAttention = Tiny.CrossAttention with { Kind = CrossAttentionKind.DenseResamplerTokens } },
        "single-scale" => Tiny with { CrossAttention = Tiny.CrossAttention with { FeatureLevels = [2] } },
        "nearest-image" => Tiny with { CrossAttention = Tiny.CrossAttention with { MultiImage = false } },
        "no-resampler" => Tiny with { UseResampler = false },
        "patch-tokens" => Tiny.WithNumImageTokens(Tiny.GridSide * Tiny.GridSide) with { UseResampler = false, UsePatchTokens = true },
        "resolution-64" => Tiny with { Vision = Tiny.Vision with { ImageSize = 64 } },
        "no-mmfs" => Tiny with { CrossAttention = Tiny.CrossAttention with { Enabled = false } },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_trains_and_its_cross_attention_receives_gradient(string name)
    {
        using var scope = NewDisposeScope();
        var config = Variant(name).Validated();
        manual_seed(2);
        var model = new MMInterleavedModel(config);
        using (no_grad())
            foreach (var (n, p) in model.named_parameters())
                if (n.EndsWith("llama_cross_attn.gate", StringComparison.Ordinal)) p.fill_(0.5);
        int k = config.NumImageTokens, size = config.Vision.ImageSize;
        var t = config.Tokens;
        long[] image = [t.BeginOfImage, .. Enumerable.Repeat((long)t.Image, k)];
        long[] row = [t.Bos, 10, .. image, 11, .. image, 12, 13, t.Eos];
        var batch = new InterleavedBatch(tensor(row).view(1, -1), ones(1, row.Length, dtype: int64), rand(2, 3, size, size));
        var output = model.forward(batch);
        Assert.True(float.IsFinite(output.Loss!.item<float>()));
        output.Loss.backward();
        var crossGrads = model.named_parameters().Where(p => p.name.Contains("llama_cross_attn.attn.")).Select(p => p.parameter.grad).ToList();
        if (name == "no-mmfs")
        {
            Assert.Empty(crossGrads);
            return;
        }
        Assert.NotEmpty(crossGrads);
        Assert.Contains(crossGrads, g => g is not null && g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Switches_change_the_parts_they_name()
    {
        string[] Keys(string variant) => new MMInterleavedModel(Variant(variant)).state_dict().Keys.ToArray();
        Assert.Contains(Keys("dense-feature-map"), k => k.EndsWith("llama_cross_attn.attn.k_proj.weight", StringComparison.Ordinal));
        Assert.DoesNotContain(Keys("dense-feature-map"), k => k.Contains("sampling_offsets") && k.StartsWith("mm_decoder", StringComparison.Ordinal));
        Assert.DoesNotContain(Keys("no-mmfs"), k => k.Contains("llama_cross_attn"));
        Assert.Contains("visual_tokenizer.learned_queries", Keys("no-resampler"));
        Assert.DoesNotContain(Keys("no-resampler"), k => k.StartsWith("visual_tokenizer.perceiver_resampler", StringComparison.Ordinal));
        using var scope = NewDisposeScope();
        var single = new MMInterleavedModel(Variant("single-scale"));
        var offsets = single.state_dict()["mm_decoder.layers.0.llama_cross_attn.attn.attention_weights.weight"];
        Assert.Equal(4 * 1 * (2 + 1), offsets.shape[0]); // heads × one level × (points + null)
    }

    [Fact]
    public void Reference_text_head_starts_the_added_tokens_at_minus_five_and_freezes_the_copy()
    {
        using var scope = NewDisposeScope();
        var head = new TextDecoder(8, 10, TextHeadKind.FrozenPlusNew);
        var logits = head.forward(randn(3, 8));
        Assert.True(logits.narrow(-1, 8, 2).eq(-5f).all().item<bool>());
        var trainable = head.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).Order().ToArray();
        Assert.Equal(["head_new.bias", "head_new.weight"], trainable);
    }
}
