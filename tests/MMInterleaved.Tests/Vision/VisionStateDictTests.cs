using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public class VisionStateDictTests
{
    /// <summary>The reference naming scheme (reference-state-dict.md §2.1–2.2), written out for the tiny model.</summary>
    private static Dictionary<string, long[]> ExpectedKeys()
    {
        const int w = TinyVision.Width, p = 8, heads = 2, points = 4, valueDim = 16, cffn = 8, mlp = 64, layers = 4;
        var keys = new Dictionary<string, long[]>();
        void Linear(string name, long cin, long cout) { keys[name + ".weight"] = [cout, cin]; keys[name + ".bias"] = [cout]; }
        void Norm(string name, long d) { keys[name + ".weight"] = [d]; keys[name + ".bias"] = [d]; }
        void Deform(string name, int levels)
        {
            Linear(name + ".sampling_offsets", w, heads * levels * points * 2);
            Linear(name + ".attention_weights", w, heads * levels * points);
            Linear(name + ".value_proj", w, valueDim);
            Linear(name + ".output_proj", valueDim, w);
        }
        void Extractor(string name)
        {
            Norm(name + ".query_norm", w);
            Norm(name + ".feat_norm", w);
            Deform(name + ".attn", 1);
            Linear(name + ".ffn.fc1", w, cffn);
            keys[name + ".ffn.dwconv.dwconv.weight"] = [cffn, 1, 3, 3];
            keys[name + ".ffn.dwconv.dwconv.bias"] = [cffn];
            Linear(name + ".ffn.fc2", cffn, w);
            Norm(name + ".ffn_norm", w);
        }

        const string v = "vision_model.";
        keys[v + "embeddings.class_embedding"] = [w];
        keys[v + "embeddings.patch_embedding.weight"] = [w, 3, 4, 4];
        keys[v + "embeddings.position_embedding.weight"] = [65, w];
        keys[v + "embeddings.position_ids"] = [1, 65];
        Norm(v + "pre_layrnorm", w);
        for (int i = 0; i < layers; i++)
        {
            string l = $"{v}encoder.layers.{i}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" }) Linear(l + "self_attn." + proj, w, w);
            Norm(l + "layer_norm1", w);
            Linear(l + "mlp.fc1", w, mlp);
            Linear(l + "mlp.fc2", mlp, w);
            Norm(l + "layer_norm2", w);
        }
        keys[v + "adapter_level_embed"] = [3, w];
        string spm = v + "adapter_spm.";
        keys[spm + "stem.0.weight"] = [p, 3, 3, 3];
        keys[spm + "stem.3.weight"] = [p, p, 3, 3];
        keys[spm + "stem.6.weight"] = [p, p, 3, 3];
        foreach (var i in new[] { 1, 4, 7 }) Norm($"{spm}stem.{i}", p);
        keys[spm + "conv2.0.weight"] = [2 * p, p, 3, 3]; Norm(spm + "conv2.1", 2 * p);
        keys[spm + "conv3.0.weight"] = [4 * p, 2 * p, 3, 3]; Norm(spm + "conv3.1", 4 * p);
        keys[spm + "conv4.0.weight"] = [4 * p, 4 * p, 3, 3]; Norm(spm + "conv4.1", 4 * p);
        int[] fcIn = [p, 2 * p, 4 * p, 4 * p];
        for (int i = 0; i < 4; i++) { keys[$"{spm}fc{i + 1}.weight"] = [w, fcIn[i], 1, 1]; keys[$"{spm}fc{i + 1}.bias"] = [w]; }
        for (int b = 0; b < 4; b++)
        {
            string block = $"{v}adapter_interactions.{b}.";
            Norm(block + "injector.query_norm", w);
            Norm(block + "injector.feat_norm", w);
            keys[block + "injector.gamma"] = [w];
            Deform(block + "injector.attn", 3);
            Extractor(block + "extractor");
            if (b == 3) { Extractor(block + "extra_extractors.0"); Extractor(block + "extra_extractors.1"); }
        }
        keys[v + "adapter_up.weight"] = [w, w, 2, 2];
        keys[v + "adapter_up.bias"] = [w];
        return keys;
    }

    [Fact]
    public void State_dict_is_exactly_the_reference_key_set_with_reference_shapes()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(1);
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var expected = ExpectedKeys();
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Keys).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing: {string.Join(", ", missing)}; extra: {string.Join(", ", extra)}");
        foreach (var (key, shape) in expected)
            Assert.True(shape.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(",", shape)}], got [{string.Join(",", actual[key])}]");
    }

    [Fact]
    public void No_post_layernorm_and_extra_extractors_only_in_the_last_block()
    {
        using var scope = NewDisposeScope();
        var keys = TinyVision.Build(1).state_dict().Keys.ToList();
        Assert.DoesNotContain(keys, k => k.Contains("post_layernorm"));
        for (int b = 0; b < 3; b++)
            Assert.DoesNotContain(keys, k => k.StartsWith($"vision_model.adapter_interactions.{b}.extra_extractors", StringComparison.Ordinal));
        Assert.Contains("vision_model.adapter_interactions.3.extra_extractors.0.attn.sampling_offsets.weight", keys);
        Assert.Contains("vision_model.adapter_interactions.3.extra_extractors.1.ffn.dwconv.dwconv.weight", keys);
        Assert.DoesNotContain(keys, k => k.Contains("extra_extractors.2"));
        // SPM ReLUs (2, 5, 8) and the max-pool (9) hold nothing.
        Assert.DoesNotContain(keys, k => k.Contains("adapter_spm.stem.2") || k.Contains("adapter_spm.stem.9"));
    }

    [Fact]
    public void Position_ids_is_a_persistent_int64_buffer_that_survives_a_dtype_change()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(1);
        const string key = "vision_model.embeddings.position_ids";
        Assert.Contains(key, model.named_buffers().Select(b => b.name));
        Assert.Equal(ScalarType.Int64, model.state_dict()[key].dtype);
        Assert.Equal(Enumerable.Range(0, 65).Select(i => (long)i), model.state_dict()[key].data<long>().ToArray());
        Assert.DoesNotContain(key, model.named_parameters().Select(p => p.name));
        model.to(float64);
        Assert.Equal(ScalarType.Int64, model.state_dict()[key].dtype);
    }

    [Fact]
    public void Initialisation_follows_the_reference()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(3);
        var p = model.state_dict();
        const string v = "vision_model.";
        double Max(string k) => p[k].abs().max().item<float>();
        Assert.Equal(0.0, Max(v + "adapter_level_embed"));
        for (int b = 0; b < 4; b++) Assert.Equal(0.0, Max($"{v}adapter_interactions.{b}.injector.gamma"));
        // HF's _init_weights zeroes every adapter Linear bias, the offsets' radial grid included; offset and logit weights stay 0.
        foreach (var (k, t) in p.Where(kv => kv.Key.Contains("adapter_interactions") && kv.Key.EndsWith(".bias", StringComparison.Ordinal)
                                             && !kv.Key.Contains("norm") && !kv.Key.Contains("dwconv")))
            Assert.True(t.abs().max().item<float>() == 0, k);
        Assert.Equal(0.0, Max(v + "adapter_interactions.0.injector.attn.sampling_offsets.weight"));
        Assert.Equal(0.0, Max(v + "adapter_interactions.0.injector.attn.attention_weights.weight"));
        Assert.True(Max(v + "adapter_interactions.0.extractor.ffn.fc1.weight") > 0);
        Assert.True(Max(v + "adapter_interactions.0.extractor.ffn.dwconv.dwconv.bias") > 0); // PyTorch default conv bias
        Assert.Equal(1.0, p[v + "adapter_spm.stem.1.weight"].min().item<float>());
        Assert.Equal(1.0, p[v + "adapter_interactions.3.extra_extractors.1.ffn_norm.weight"].min().item<float>());
        // CLIP layers: HF init, q ~ N(0, W^-½ (2L)^-½) = N(0, 0.0625), biases 0.
        double std = p[v + "encoder.layers.0.self_attn.q_proj.weight"].std().item<float>();
        Assert.InRange(std, 0.045, 0.08);
        Assert.Equal(0.0, Max(v + "encoder.layers.2.mlp.fc1.bias"));

        // With the switch off, Deformable-DETR's grid bias and PyTorch's default ConvFFN biases remain.
        var keepGrid = TinyVision.Build(3, TinyVision.Adapter with { ZeroAdapterLinearBiases = false }).state_dict();
        var bias = keepGrid[v + "adapter_interactions.0.injector.attn.sampling_offsets.bias"].view(2, 3, 4, 2);
        Assert.Equal(4.0, bias[0, 2, 3, 0].item<float>(), 5); // head 0 points along +x, point 3 at distance 4
        Assert.Equal(-2.0, bias[1, 0, 1, 0].item<float>(), 5); // head 1 along −x
    }
}
