using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

/// <summary>The resampler around the Q-Former: shapes, shared-query broadcasting, gradients, reference sizes.</summary>
[Collection(TorchCollection.Name)]
public class PerceiverResamplerTests
{
    [Fact]
    public void Shared_queries_broadcast_like_explicitly_expanded_ones()
    {
        using var scope = NewDisposeScope();
        var module = Blip2QFormerTests.Perturbed(Blip2QFormerTests.Tiny, seed: 6);
        var g = new Generator(16);
        var encoder = randn([3, 5, 12], generator: g, dtype: float64);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0 }).view(3, 5);
        var output = module.forward(encoder, mask);
        Assert.Equal([3L, 4, 16], output.shape);
        var expanded = module.QFormer.forward(module.Queries.expand(3, -1, -1), encoder, mask);
        Assert.True(SafetensorsFixture.RelativeError(output, expanded) <= 1e-12);
        // each image only sees its own states
        var first = module.forward(encoder.narrow(0, 0, 1), mask.narrow(0, 0, 1));
        Assert.True(SafetensorsFixture.RelativeError(first, output.narrow(0, 0, 1)) <= 1e-12);
    }

    [Fact]
    public void Gradients_reach_the_queries_and_the_cross_attention_key_value_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var module = new PerceiverResampler(Blip2QFormerTests.Tiny);
        module.train();
        var encoder = randn(2, 5, 12).requires_grad_();
        module.forward(encoder, tensor(new long[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }).view(2, 5)).pow(2).sum().backward();

        var parameters = module.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        Assert.Equal(parameters.Count, parameters.Values.Count(p => p.requires_grad));
        string[] mustLearn =
        [
            "queries",
            "blip2qformer.encoder.layer.0.crossattention.attention.key.weight",
            "blip2qformer.encoder.layer.0.crossattention.attention.value.weight",
            "blip2qformer.encoder.layer.2.crossattention.attention.key.weight",
            "blip2qformer.encoder.layer.2.crossattention.attention.value.weight",
            "blip2qformer.encoder.layer.2.crossattention.attention.k_norm.weight",
            "blip2qformer.encoder.layer.1.attention.attention.q_norm.weight",
        ];
        foreach (var name in mustLearn)
        {
            var grad = parameters[name].grad;
            Assert.True(grad is not null && grad.abs().max().item<float>() > 0, name + " must receive a gradient");
        }
        Assert.True(encoder.grad!.abs().max().item<float>() > 0);
        Assert.Equal(0f, encoder.grad![0, 3].abs().max().item<float>()); // masked position
    }

    [Fact]
    public void Forward_rejects_wrong_shapes_with_the_expected_shape_in_the_message()
    {
        using var scope = NewDisposeScope();
        var module = new PerceiverResampler(Blip2QFormerTests.Tiny);
        var e1 = Assert.Throws<ArgumentException>(() => module.forward(randn(2, 5, 13)));
        Assert.Contains("[B,K,12]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => module.forward(randn(2, 5, 12), ones(2, 4)));
        Assert.Contains("[2,5]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => module.QFormer.forward(randn(3, 4, 16), randn(2, 5, 12)));
        Assert.Contains("[2 or 1,Q,16]", e3.Message);
    }

    [Fact]
    public void Reference_instances_have_the_expected_parameter_counts()
    {
        // visual tokenizer ≈102 M, image decoder ≈23 M (reference-state-dict.md §1), queries included
        foreach (var (config, expected) in new[] { (ResamplerConfig.VisualTokenizer, 101_652_480L), (ResamplerConfig.ImageDecoder, 23_168_000L) })
        {
            using var scope = NewDisposeScope();
            using var module = new PerceiverResampler(config);
            Assert.Equal(expected, module.parameters().Sum(p => p.numel()));
            Assert.Equal([1L, config.NumQueries, config.HiddenSize], module.Queries.shape);
        }
    }
}
