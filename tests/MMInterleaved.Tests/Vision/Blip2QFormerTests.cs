using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

/// <summary>The Q-Former's state-dict layout, an independent re-computation, the encoder mask, dropout and init.</summary>
[Collection(TorchCollection.Name)]
public class Blip2QFormerTests
{
    /// <summary>Tiny visual-tokenizer-like shape: 3 layers, cross-attention in 0 and 2, qk-norm, dropout 0.1.</summary>
    internal static readonly ResamplerConfig Tiny = new(NumQueries: 4, HiddenSize: 16, EncoderHiddenSize: 12, NumLayers: 3,
        NumHeads: 2, IntermediateSize: 32, CrossAttentionFrequency: 2, QkNormalization: true);

    /// <summary>Tiny decoder-side shape: 1 layer with cross-attention, no qk-norm, dropout 0.</summary>
    internal static readonly ResamplerConfig TinyDecoder = new(NumQueries: 5, HiddenSize: 16, EncoderHiddenSize: 24, NumLayers: 1,
        NumHeads: 4, IntermediateSize: 24, CrossAttentionFrequency: 1, QkNormalization: false, HiddenDropout: 0, AttentionDropout: 0);

    /// <summary>A float64 resampler in eval mode whose parameters are all perturbed, so that no 0/1 init hides a wiring error.</summary>
    internal static PerceiverResampler Perturbed(ResamplerConfig config, long seed = 1)
    {
        manual_seed(seed);
        var module = new PerceiverResampler(config);
        module.to(float64);
        module.eval();
        using (no_grad())
            foreach (var (_, p) in module.named_parameters()) p.add_(randn_like(p) * 0.3);
        return module;
    }

    private static Dictionary<string, long[]> Shapes(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    [Fact]
    public void Key_set_and_shapes_match_hf_naming_with_cross_attention_every_second_layer()
    {
        using var scope = NewDisposeScope();
        var shapes = Shapes(new PerceiverResampler(Tiny));

        var expected = new Dictionary<string, long[]>
        {
            ["queries"] = [1, 4, 16],
            ["blip2qformer.layernorm.weight"] = [16],
            ["blip2qformer.layernorm.bias"] = [16],
        };
        void Linear(string prefix, long inF, long outF) { expected[prefix + ".weight"] = [outF, inF]; expected[prefix + ".bias"] = [outF]; }
        void Norm(string prefix, long n) { expected[prefix + ".weight"] = [n]; expected[prefix + ".bias"] = [n]; }
        void Attention(string prefix, long kvIn)
        {
            Linear(prefix + ".attention.query", 16, 16);
            Linear(prefix + ".attention.key", kvIn, 16);
            Linear(prefix + ".attention.value", kvIn, 16);
            Norm(prefix + ".attention.q_norm", 8); // head dim 16/2
            Norm(prefix + ".attention.k_norm", 8);
            Linear(prefix + ".output.dense", 16, 16);
            Norm(prefix + ".output.LayerNorm", 16);
        }
        foreach (int i in new[] { 0, 1, 2 })
        {
            string layer = $"blip2qformer.encoder.layer.{i}";
            Attention(layer + ".attention", 16);
            if (i != 1) Attention(layer + ".crossattention", 12);
            Linear(layer + ".intermediate_query.dense", 16, 32);
            Linear(layer + ".output_query.dense", 32, 16);
            Norm(layer + ".output_query.LayerNorm", 16);
        }

        Assert.Equal(expected.Keys.Order(), shapes.Keys.Order());
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(shapes[key]), $"{key}: [{string.Join(",", shapes[key])}]");
        // spot checks written out in full
        Assert.Equal([16L, 12], shapes["blip2qformer.encoder.layer.2.crossattention.attention.value.weight"]);
        Assert.DoesNotContain("blip2qformer.encoder.layer.1.crossattention.attention.query.weight", shapes.Keys);
        Assert.Equal(3 + 3 * (14 + 6) + 2 * 14, shapes.Count); // 14 keys per attention block, 6 per FFN
    }

    [Fact]
    public void Without_qk_normalization_there_are_no_norm_keys_and_the_decoder_variant_has_one_cross_attention_layer()
    {
        using var scope = NewDisposeScope();
        var decoder = Shapes(new PerceiverResampler(TinyDecoder));
        Assert.DoesNotContain(decoder.Keys, k => k.Contains("q_norm") || k.Contains("k_norm"));
        Assert.Equal([16L, 24], decoder["blip2qformer.encoder.layer.0.crossattention.attention.key.weight"]);
        Assert.Equal([1L, 5, 16], decoder["queries"]);
        Assert.DoesNotContain(decoder.Keys, k => k.Contains("layer.1."));
        Assert.Equal(3 + 2 * 10 + 6, decoder.Count); // 10 keys per attention block without norms

        var plain = Shapes(new PerceiverResampler(Tiny with { QkNormalization = false }));
        Assert.DoesNotContain(plain.Keys, k => k.Contains("_norm"));
        Assert.Equal(Shapes(new PerceiverResampler(Tiny)).Count - 5 * 4, plain.Count);
    }

    /// <summary>
    /// Written independently of the module: one batch item and one head at a time, masked keys removed instead of
    /// masked, LayerNorm, softmax and GELU (erf) spelled out. Keys are read from the resampler's own state dict.
    /// </summary>
    internal static Tensor Recompute(PerceiverResampler module, Tensor encoder, Tensor? mask)
    {
        var c = module.Config;
        var p = module.state_dict();
        Tensor W(string key) => p["blip2qformer." + key];
        Tensor Ln(Tensor x, string prefix)
        {
            var mean = x.mean([-1], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1], keepdim: true);
            return (x - mean) / (variance + c.LayerNormEps).sqrt() * W(prefix + ".weight") + W(prefix + ".bias");
        }
        Tensor Lin(Tensor x, string prefix) => x.matmul(W(prefix + ".weight").t()) + W(prefix + ".bias");
        Tensor Block(Tensor x, Tensor source, string prefix)
        {
            int d = c.HeadDim;
            var heads = new List<Tensor>();
            for (int h = 0; h < c.NumHeads; h++)
            {
                Tensor Proj(Tensor input, string name) =>
                    input.matmul(W($"{prefix}.attention.{name}.weight").narrow(0, h * d, d).t()) + W($"{prefix}.attention.{name}.bias").narrow(0, h * d, d);
                var q = Proj(x, "query");
                var k = Proj(source, "key");
                var v = Proj(source, "value");
                if (c.QkNormalization) { q = Ln(q, prefix + ".attention.q_norm"); k = Ln(k, prefix + ".attention.k_norm"); }
                var scores = q.matmul(k.t()) / Math.Sqrt(d);
                var e = (scores - scores.max(-1, keepdim: true).values).exp();
                heads.Add((e / e.sum(-1, keepdim: true)).matmul(v));
            }
            return Ln(Lin(cat(heads, -1), prefix + ".output.dense") + x, prefix + ".output.LayerNorm");
        }

        var results = new List<Tensor>();
        for (long b = 0; b < encoder.shape[0]; b++)
        {
            var source = encoder[b];
            if (mask is not null) source = source.index_select(0, mask[b].nonzero().squeeze(-1));
            var x = Ln(p["queries"][0], "layernorm");
            for (int i = 0; i < c.NumLayers; i++)
            {
                string layer = $"encoder.layer.{i}";
                x = Block(x, x, layer + ".attention");
                if (i % c.CrossAttentionFrequency == 0) x = Block(x, source, layer + ".crossattention");
                var inner = Lin(x, layer + ".intermediate_query.dense");
                inner = 0.5 * inner * (1 + (inner / Math.Sqrt(2)).erf());
                x = Ln(Lin(inner, layer + ".output_query.dense") + x, layer + ".output_query.LayerNorm");
            }
            results.Add(x);
        }
        return stack(results);
    }

    [Fact]
    public void Matches_an_independent_recomputation_with_qk_norm_cross_attention_every_second_layer_and_a_mask()
    {
        using var scope = NewDisposeScope();
        var module = Perturbed(Tiny);
        var g = new Generator(11);
        var encoder = randn([3, 7, 12], generator: g, dtype: float64);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0 }).view(3, 7);

        var output = module.forward(encoder, mask);
        Assert.Equal([3L, 4, 16], output.shape);
        Assert.True(SafetensorsFixture.RelativeError(output, Recompute(module, encoder, mask)) <= 1e-10);
        Assert.True(SafetensorsFixture.RelativeError(module.forward(encoder), Recompute(module, encoder, null)) <= 1e-10);
    }

    [Fact]
    public void Decoder_variant_matches_an_independent_recomputation_of_its_single_post_ln_layer()
    {
        using var scope = NewDisposeScope();
        var module = Perturbed(TinyDecoder, seed: 2);
        var g = new Generator(12);
        var encoder = randn([2, 6, 24], generator: g, dtype: float64);
        var mask = tensor(new long[] { 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1 }).view(2, 6);
        var output = module.forward(encoder, mask);
        Assert.Equal([2L, 5, 16], output.shape);
        Assert.True(SafetensorsFixture.RelativeError(output, Recompute(module, encoder, mask)) <= 1e-10);
    }

    [Fact]
    public void Masked_encoder_positions_have_no_influence()
    {
        using var scope = NewDisposeScope();
        var module = Perturbed(Tiny, seed: 3);
        var g = new Generator(13);
        var encoder = randn([2, 6, 12], generator: g, dtype: float64);
        var mask = tensor(new long[] { 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1 }).view(2, 6);
        var keep = mask.to(@bool).unsqueeze(-1);
        var wild = where(keep, encoder, randn([2, 6, 12], generator: g, dtype: float64) * 1e4 + 300);

        var output = module.forward(encoder, mask);
        Assert.Equal(0.0, (module.forward(wild, mask) - output).abs().max().item<double>());
        // a bool mask and a float mask mean the same; an all-ones mask is no mask
        Assert.Equal(0.0, (module.forward(encoder, mask.to(@bool)) - output).abs().max().item<double>());
        Assert.Equal(0.0, (module.forward(encoder, mask.to(float32)) - output).abs().max().item<double>());
        Assert.Equal(0.0, (module.forward(encoder, ones(2, 6, dtype: int64)) - module.forward(encoder)).abs().max().item<double>());
        // and the mask does act: unmasked changes move the output, as does dropping the mask
        Assert.True(SafetensorsFixture.RelativeError(module.forward(encoder), output) > 1e-3);
        var moved = where(keep, randn([2, 6, 12], generator: g, dtype: float64), encoder);
        Assert.True(SafetensorsFixture.RelativeError(module.forward(moved, mask), output) > 1e-3);
    }

    [Fact]
    public void Dropout_acts_in_training_mode_only()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var module = new PerceiverResampler(Tiny);
        var encoder = randn(2, 5, 12);

        module.train();
        var a = module.forward(encoder);
        var b = module.forward(encoder);
        Assert.True((a - b).abs().max().item<float>() > 1e-3, "training-mode passes must differ (dropout 0.1)");

        module.eval();
        Assert.True(module.modules().All(m => !m.training));
        Assert.Equal(0f, (module.forward(encoder) - module.forward(encoder)).abs().max().item<float>());

        // with both dropouts at 0, training mode computes the eval-mode function
        manual_seed(4);
        var noDropout = new PerceiverResampler(Tiny with { HiddenDropout = 0, AttentionDropout = 0 });
        noDropout.train();
        var trained = noDropout.forward(encoder);
        noDropout.eval();
        Assert.Equal(0f, (trained - noDropout.forward(encoder)).abs().max().item<float>());
    }

    [Fact]
    public void Initialisation_follows_hf_blip2_init_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var config = new ResamplerConfig(NumQueries: 32, HiddenSize: 64, EncoderHiddenSize: 48, NumLayers: 2, NumHeads: 4,
            IntermediateSize: 256, QueryInitStd: 0.5, InitializerRange: 0.02);
        var module = new PerceiverResampler(config);
        var p = module.state_dict();

        var linearWeights = p.Where(kv => kv.Key.EndsWith(".weight") && kv.Value.dim() == 2).Select(kv => kv.Value.flatten()).ToList();
        Assert.Equal(3 * 4 + 2 * 2, linearWeights.Count); // 3 attention blocks of 4 Linears, 2 FFNs of 2
        var all = cat(linearWeights);
        Assert.InRange(all.std().item<float>(), 0.019, 0.021);
        Assert.InRange(all.mean().item<float>(), -0.001, 0.001);
        foreach (var (key, t) in p.Where(kv => kv.Key.EndsWith(".bias")))
            Assert.True(t.eq(0).all().item<bool>(), key + " must start at 0");
        foreach (var (key, t) in p.Where(kv => kv.Key.EndsWith(".weight") && kv.Value.dim() == 1))
            Assert.True(t.eq(1).all().item<bool>(), key + " (a LayerNorm) must start at 1");
        Assert.InRange(p["queries"].std().item<float>(), 0.47, 0.53);
    }

    [Fact]
    public void At_the_reference_gain_a_narrow_decoder_resampler_passes_context_differences_that_the_literal_init_std_averages_away()
    {
        // the tiny preset's decoder resampler: 8 queries × 64, one layer, over 64-wide contexts of 20 tokens
        double Spread(ResamplerConfig config)
        {
            using var scope = NewDisposeScope();
            manual_seed(3);
            var module = new PerceiverResampler(config);
            manual_seed(4);
            var shared = randn(1, 20, 64);
            var contexts = shared.repeat(6, 1, 1);
            contexts[.., ..4] = randn(6, 4, 64); // four tokens differ between contexts, as four cells' words do
            using var noGrad = no_grad();
            var c = module.forward(contexts).to(float64);
            return ((c - c.mean([0L], keepdim: true)).norm() / c.norm()).item<double>();
        }
        var literal = new ResamplerConfig(NumQueries: 8, HiddenSize: 64, EncoderHiddenSize: 64, NumLayers: 1, NumHeads: 4, IntermediateSize: 128,
            CrossAttentionFrequency: 1, QkNormalization: false, HiddenDropout: 0, AttentionDropout: 0);
        double atLiteral = Spread(literal), atGain = Spread(literal.WithGainOf(ResamplerConfig.ImageDecoder));
        Assert.True(atLiteral < 0.02, $"spread at init std 0.02: {atLiteral}");
        Assert.True(atGain > 10 * atLiteral, $"spread at the reference gain {atGain} vs {atLiteral} at 0.02");
    }
}
