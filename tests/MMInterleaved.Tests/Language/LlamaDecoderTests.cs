using MMInterleaved.Language;
using MMInterleaved.Ops;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Language;

[Collection(TorchCollection.Name)]
public class LlamaDecoderTests
{
    private static readonly DecoderConfig Tiny = new(VocabSize: 40, HiddenSize: 16, IntermediateSize: 32, NumLayers: 3, NumHeads: 2);
    private static readonly CrossAttentionConfig Cross = new() { Frequency = 2, NumHeads = 2, NumPoints = 2, FeatureLevels = [1, 2], OffsetInitMagnitude = 1, MaxImagesPerSequence = 6 };

    internal static LlamaDecoder Build(CrossAttentionConfig? cross = null, double gate = 0.7, long seed = 1)
    {
        manual_seed(seed);
        cross ??= Cross;
        var decoder = new LlamaDecoder(Tiny, i => cross.HasLayer(i) ? new LlamaMmfsAttention(Tiny, cross, 8, [4, 2], 2) : null);
        decoder.to(float64);
        using (no_grad())
            foreach (var (name, p) in decoder.named_parameters())
                if (name.EndsWith("gate", StringComparison.Ordinal)) p.fill_(gate);
        return decoder;
    }

    // Two images of levels 4×4 and 2×2 (20 positions), width 8; mask [B,L,I] causal over images starting at tokens 2 and 5.
    internal static VisualMemory Memory(long b, long l, Generator g)
    {
        (long, long)[] shapes = [(4, 4), (2, 2), (4, 4), (2, 2)];
        var mask = stack(Enumerable.Range(0, (int)l).Select(t => tensor(new long[] { t >= 2 ? 1 : 0, t >= 5 ? 1 : 0 })).ToArray()).unsqueeze(0).expand(b, l, 2);
        return new VisualMemory(randn([b, 2, 20, 8], generator: g, dtype: float64), shapes, MultiScaleDeformableAttention.StartsOf(shapes), mask.contiguous());
    }

    private static Tensor Positions(long b, long l, long start = 0) => arange(start, start + l).unsqueeze(0).expand(b, l);

    [Fact]
    public void State_dict_has_hf_llama_names_and_cross_attention_only_where_the_frequency_says()
    {
        var keys = Build().state_dict().Keys.ToHashSet();
        Assert.Contains("embed_tokens.weight", keys);
        Assert.Contains("norm.weight", keys);
        foreach (int i in new[] { 0, 1, 2 })
        {
            foreach (var k in new[] { "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                         "self_attn.rotary_emb.inv_freq", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
                         "input_layernorm.weight", "post_attention_layernorm.weight" })
                Assert.Contains($"layers.{i}.{k}", keys);
            Assert.DoesNotContain($"layers.{i}.self_attn.q_proj.bias", keys);
        }
        foreach (var k in new[] { "gate", "norm1.weight", "norm2.weight", "attn.dynamic_offset_mask.weight", "attn.sampling_offsets.bias",
                     "attn.attention_weights.weight", "attn.value_proj.weight", "attn.output_proj.weight", "attn.query_relpos.weight", "attn.ignore_token" })
        {
            Assert.Contains($"layers.0.llama_cross_attn.{k}", keys);
            Assert.Contains($"layers.2.llama_cross_attn.{k}", keys);
        }
        Assert.DoesNotContain(keys, k => k.StartsWith("layers.1.llama_cross_attn", StringComparison.Ordinal));
    }

    [Fact]
    public void A_later_token_or_image_never_changes_earlier_outputs()
    {
        using var scope = NewDisposeScope();
        var decoder = Build();
        var g = new Generator(2);
        var x = randn([1, 7, 16], generator: g, dtype: float64);
        var memory = Memory(1, 7, g);
        var mask = ones(1, 7, dtype: int64);
        var before = decoder.forward(x, mask, Positions(1, 7), memory);

        var changed = x.clone();
        changed[0, 6] = randn(16, dtype: float64) * 5;                       // a later token
        var features = memory.Features.clone();
        features[0, 1] = randn(20, 8, dtype: float64) * 5;                   // the image that starts at token 5
        var after = decoder.forward(changed, mask, Positions(1, 7), memory with { Features = features });

        Assert.True(SafetensorsFixture.RelativeError(after.narrow(1, 0, 5), before.narrow(1, 0, 5)) < 1e-12);
        Assert.True(SafetensorsFixture.RelativeError(after.narrow(1, 5, 2), before.narrow(1, 5, 2)) > 1e-3);
    }

    [Fact]
    public void Cached_incremental_decoding_equals_full_recomputation()
    {
        using var scope = NewDisposeScope();
        var decoder = Build();
        var g = new Generator(3);
        var x = randn([2, 8, 16], generator: g, dtype: float64);
        var memory = Memory(2, 8, g);
        var full = decoder.forward(x, ones(2, 8, dtype: int64), Positions(2, 8), memory);

        using var cache = new KvCache(3);
        var prefix = decoder.forward(x.narrow(1, 0, 6), ones(2, 6, dtype: int64), Positions(2, 6), memory with { Mask = memory.Mask.narrow(1, 0, 6) }, cache);
        var steps = new List<Tensor> { prefix };
        for (int t = 6; t < 8; t++)
            steps.Add(decoder.forward(x.narrow(1, t, 1), ones(2, t + 1, dtype: int64), Positions(2, 1, t), memory with { Mask = memory.Mask.narrow(1, 0, t + 1) }, cache));
        Assert.True(SafetensorsFixture.RelativeError(cat(steps.ToArray(), 1), full) < 1e-12);
    }

    [Fact]
    public void With_every_gate_at_zero_the_decoder_equals_itself_without_cross_attention()
    {
        using var scope = NewDisposeScope();
        var decoder = Build(gate: 0.0);
        var g = new Generator(4);
        var x = randn([2, 6, 16], generator: g, dtype: float64);
        var withMemory = decoder.forward(x, ones(2, 6, dtype: int64), Positions(2, 6), Memory(2, 6, g));
        var without = decoder.forward(x, ones(2, 6, dtype: int64), Positions(2, 6), memory: null);
        Assert.True(withMemory.eq(without).all().item<bool>());

        var plain = new LlamaDecoder(Tiny, _ => null);      // the same weights in a decoder that has no cross-attention at all
        plain.to(float64);
        plain.load_state_dict(decoder.state_dict().Where(kv => !kv.Key.Contains("llama_cross_attn")).ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.True(plain.forward(x, ones(2, 6, dtype: int64), Positions(2, 6)).eq(without).all().item<bool>());
    }

    [Fact]
    public void A_left_padded_row_equals_the_row_run_alone()
    {
        using var scope = NewDisposeScope();
        var decoder = Build(cross: Cross with { Enabled = false });
        var g = new Generator(5);
        var row = randn([1, 4, 16], generator: g, dtype: float64);
        var alone = decoder.forward(row, ones(1, 4, dtype: int64), Positions(1, 4));
        var padded = cat([randn([1, 3, 16], generator: g, dtype: float64), row], 1);
        var mask = tensor(new long[] { 0, 0, 0, 1, 1, 1, 1 }).view(1, 7);
        var positions = (mask.cumsum(-1) - 1).clamp_min(0);               // as HF generate derives them
        var batched = decoder.forward(padded, mask, positions);
        Assert.True(SafetensorsFixture.RelativeError(batched.narrow(1, 3, 4), alone) < 1e-12);
        Assert.False(batched.isnan().any().item<bool>());
    }

    [Fact]
    public void Rms_norm_and_rotary_embedding_follow_their_definitions()
    {
        using var scope = NewDisposeScope();
        var norm = new RmsNorm(4, 1e-6);
        var x = tensor(new float[] { 1, 2, 3, 4 });
        double rms = Math.Sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
        Assert.Equal(2 / rms, norm.forward(x)[1].item<float>(), 5);

        var rotary = new RotaryEmbedding(8, 10000);
        var g = new Generator(6);
        var q = randn([1, 1, 1, 8], generator: g);
        var k = randn([1, 1, 1, 8], generator: g);
        float Score(long m, long n) => (rotary.Apply(q, k, tensor(new long[] { m }).view(1, 1)).Q * rotary.Apply(q, k, tensor(new long[] { n }).view(1, 1)).K).sum().item<float>();
        Assert.Equal(Score(3, 1), Score(10, 8), 4);   // the score depends on the distance only
        Assert.NotEqual(Score(3, 1), Score(3, 2), 3);
    }
}
