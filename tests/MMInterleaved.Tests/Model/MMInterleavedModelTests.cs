using MMInterleaved.Language;
using MMInterleaved.Model;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Model;

/// <summary>The composed model on the tiny preset (ids: &lt;s&gt; 1, &lt;/s&gt; 2, pad 0, &lt;BoI&gt; 62, &lt;image&gt; 63; 4 visual tokens).</summary>
[Collection(TorchCollection.Name)]
public class MMInterleavedModelTests
{
    private const long S = 1, E = 2, P = 0, B = 62, I = 63;

    internal static MMInterleavedModel Tiny(ModelConfig? config = null, long seed = 1, double gate = 0.5)
    {
        manual_seed(seed);
        var model = new MMInterleavedModel(config ?? ModelPresets.Tiny);
        model.to(float64);
        model.eval(); // no dropout: comparisons are exact
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("llama_cross_attn.gate", StringComparison.Ordinal)) p.fill_(gate);
                if (name == "visual_tokenizer.proj.weight") p.normal_(0, 0.2); // make visual tokens matter in short tests
            }
        return model;
    }

    // <s> a b <BoI> I×4 c d </s> <s> e <BoI> I×4 f g
    internal static long[] TwoSegments() => [S, 10, 11, B, I, I, I, I, 12, 13, E, S, 14, B, I, I, I, I, 15, 16];

    internal static InterleavedBatch Batch(long[][] rows, Tensor images, bool leftPad = false)
    {
        int width = rows.Max(r => r.Length);
        var ids = new long[rows.Length * width];
        var mask = new long[ids.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            int offset = leftPad ? width - rows[r].Length : 0;
            for (int t = 0; t < rows[r].Length; t++) { ids[r * width + offset + t] = rows[r][t]; mask[r * width + offset + t] = 1; }
        }
        return new InterleavedBatch(tensor(ids).view(rows.Length, width), tensor(mask).view(rows.Length, width), images);
    }

    private static Tensor Images(int n, long seed) => rand([n, 3, 32, 32], generator: new Generator((ulong)seed), dtype: float64);

    [Fact]
    public void Configs_round_trip_through_json_and_bad_ones_name_the_field()
    {
        foreach (var name in ModelPresets.Names)
        {
            var config = ModelPresets.Get(name);
            string json = config.ToJson();
            Assert.Equal(json, ModelConfig.FromJson(json).ToJson());
        }
        // K lives in one place (the resampler's queries); a file that also stores num_image_tokens must agree with it
        Assert.Equal(8, ModelPresets.Tiny.WithNumImageTokens(8).Resampler.NumQueries);
        Assert.DoesNotContain("num_image_tokens", ModelPresets.Tiny.ToJson());
        var stored = System.Text.Json.Nodes.JsonNode.Parse(ModelPresets.Tiny.ToJson())!.AsObject();
        stored["num_image_tokens"] = 4;
        Assert.Equal(4, ModelConfig.FromJson(stored.ToJsonString()).NumImageTokens);
        stored["num_image_tokens"] = 5;
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson(stored.ToJsonString(), "old.json"));
        Assert.Contains("old.json: num_image_tokens is 5 but resampler.num_queries is 4", e.Message);
        var bad = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson("{\"Decoder\": {\"NumHeads\": 7}}", "x.json"));
        Assert.Contains("x.json", bad.Message);
        Assert.Contains("NumHeads", bad.Message);
    }

    [Fact]
    public void Paper_preset_parameter_counts_match_the_reference_sizes()
    {
        var parts = ParameterReport.Count(ModelPresets.Paper).ToDictionary(p => p.Name);
        Assert.Equal(36_303_537, parts["one MMFS layer"].Total);              // ≈36.3 M per decoder MMFS layer
        Assert.Equal(10 * 36_303_537L, parts["MMFS layers (decoder)"].Total);  // layers 0, 4, …, 36
        Assert.Equal(12_852_034_560, parts["language model"].Total);          // Vicuna-13B with 32002 rows
        Assert.Equal(0, parts["language model"].Trainable);                   // frozen
        Assert.Equal(303_177_728, parts["vision encoder (ViT)"].Total);       // CLIP ViT-L/14 without post_layernorm
        Assert.Equal(0, parts["vision encoder (ViT)"].Trainable);
        Assert.Equal(163_892_484, parts["text head"].Total);                  // head (with bias) + head_new
        Assert.Equal(10_242, parts["text head"].Trainable);                   // head_new only
        Assert.InRange(parts["resampler"].Total, 101_000_000, 103_000_000);   // ≈102 M
        Assert.InRange(parts["ViT-Adapter"].Total, 23_000_000, 23_400_000);      // encoder 326 M − ViT 303 M
        Assert.InRange(parts["total"].Total, 13_700_000_000, 13_900_000_000);   // 14.9 B − image decoder (≈1.07 B) − context_feat_proj
        Assert.Equal(parts["total"].Total, parts.Values.Where(p => p.Name is not ("total" or "one MMFS layer")).Sum(p => p.Total));
    }

    [Fact]
    public void A_change_to_a_later_token_or_image_never_changes_earlier_logits()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        long[] row = [S, 10, 11, B, I, I, I, I, 12, 13, B, I, I, I, I, 14, 15];
        var images = Images(2, 1);
        var before = model.forward(Batch([row], images)).Logits;
        var laterImage = images.clone();
        laterImage[1] = rand(3, 32, 32, dtype: float64);
        var laterToken = (long[])row.Clone();
        laterToken[15] = 20;
        var after = model.forward(Batch([laterToken], laterImage)).Logits;
        Assert.True(SafetensorsFixture.RelativeError(after.narrow(1, 0, 11), before.narrow(1, 0, 11)) < 1e-12); // up to the 2nd <BoI>
        Assert.True(SafetensorsFixture.RelativeError(after.narrow(1, 11, 6), before.narrow(1, 11, 6)) > 1e-6);
    }

    [Fact]
    public void Through_mmfs_a_token_draws_only_on_started_images_of_its_own_segment()
    {
        using var scope = NewDisposeScope();
        // Without the resampler every image gives the same visual tokens, so image content reaches text only through MMFS;
        // with one decoder layer no later self-attention can carry it on (packed documents share self-attention, as in the
        // reference, so in deeper models an earlier document's tokens — not its image — can inform later ones).
        var model = Tiny(ModelPresets.Tiny with { UseResampler = false, Decoder = ModelPresets.Tiny.Decoder with { NumLayers = 1 } });
        var images = Images(2, 2);
        var base_ = model.forward(Batch([TwoSegments()], images)).Logits;
        var firstChanged = images.clone();
        firstChanged[0] = rand(3, 32, 32, dtype: float64);
        var changed = model.forward(Batch([TwoSegments()], firstChanged)).Logits;
        // image 0 (segment 1) matters inside segment 1 after it starts, never in segment 2
        Assert.True(SafetensorsFixture.RelativeError(changed.narrow(1, 4, 6), base_.narrow(1, 4, 6)) > 1e-6);
        Assert.True(SafetensorsFixture.RelativeError(changed.narrow(1, 11, 9), base_.narrow(1, 11, 9)) < 1e-12);
        Assert.True(SafetensorsFixture.RelativeError(changed.narrow(1, 0, 4), base_.narrow(1, 0, 4)) < 1e-12); // <BoI> does not see its image
    }

    [Fact]
    public void With_all_gates_at_zero_the_model_equals_the_same_decoder_without_mmfs()
    {
        using var scope = NewDisposeScope();
        var model = Tiny(gate: 0.0);
        var plain = Tiny(ModelPresets.Tiny with { CrossAttention = ModelPresets.Tiny.CrossAttention with { Enabled = false } });
        plain.load_state_dict(model.state_dict().Where(kv => !kv.Key.Contains("llama_cross_attn")).ToDictionary(kv => kv.Key, kv => kv.Value));
        var batch = Batch([TwoSegments()], Images(2, 3));
        Assert.True(model.forward(batch).Logits.eq(plain.forward(batch).Logits).all().item<bool>());
    }

    [Fact]
    public void Kv_cached_generation_equals_full_recomputation_and_left_padding_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        long[] a = [S, 10, B, I, I, I, I, 12], b = [S, 11, 12, 13, B, I, I, I, I, 14, 15];
        var images = Images(2, 4);
        var options = new GenerationOptions { MaxNewTokens = 5 };
        var alone = new[] { model.GenerateTexts(Batch([a], images.narrow(0, 0, 1)), options), model.GenerateTexts(Batch([b], images.narrow(0, 1, 1)), options) };
        var batched = model.GenerateTexts(Batch([a, b], images, leftPad: true), options);
        Assert.Equal(alone[0].Tokens[0], batched.Tokens[0]);
        Assert.Equal(alone[1].Tokens[0], batched.Tokens[0 + 1]);

        var sequence = a.ToList();
        var expected = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            using var noGrad = no_grad();
            long next = model.forward(Batch([[.. sequence]], images.narrow(0, 0, 1))).Logits[0, -1].argmax().item<long>();
            expected.Add(next);
            sequence.Add(next);
            if (next == E || next == B) break;
        }
        Assert.Equal(expected, alone[0].Tokens[0]);
    }

    [Fact]
    public void A_right_padded_batch_equals_its_rows_run_alone()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        long[] a = [S, 10, B, I, I, I, I, 12], b = TwoSegments();
        var images = Images(3, 5);
        var batched = model.forward(Batch([a, b], images)).Logits;
        var first = model.forward(Batch([a], images.narrow(0, 0, 1))).Logits;
        var second = model.forward(Batch([b], images.narrow(0, 1, 2))).Logits;
        Assert.True(SafetensorsFixture.RelativeError(batched[0].narrow(0, 0, a.Length), first[0]) < 1e-12);
        Assert.True(SafetensorsFixture.RelativeError(batched[1], second[0]) < 1e-12);
    }

    [Fact]
    public void Image_count_mismatches_are_reported_clearly()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        var e = Assert.Throws<ArgumentException>(() => model.forward(Batch([TwoSegments()], Images(1, 7))));
        Assert.Contains("2 image blocks", e.Message);
        Assert.Contains("1 images", e.Message);
        var short_ = Assert.Throws<ArgumentException>(() => model.forward(Batch([[S, B, I, I, 10]], Images(1, 7))));
        Assert.Contains("NumImageTokens", short_.Message);
    }

    [Fact]
    public void The_tiny_model_overfits_one_small_batch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = new MMInterleavedModel(ModelPresets.Tiny);
        // The rows share their prefix up to the image; what follows it (12 vs 22) can only be told from the images.
        var batch = Batch([TwoSegments(), [S, 10, 11, B, I, I, I, I, 22, 23, 24, E]], rand(3, 3, 32, 32, generator: new Generator(8)));
        var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), lr: 1e-2);
        double loss = double.NaN;
        for (int step = 0; step < 200; step++)
        {
            using var stepScope = NewDisposeScope();
            var output = model.forward(batch);
            optimizer.zero_grad();
            output.Loss!.backward();
            optimizer.step();
            loss = output.Loss.item<float>();
            if (loss < 0.05) break;
        }
        Assert.True(loss < 0.05, $"text loss {loss} after training on one batch");
    }

    [Fact]
    public void Option_scoring_sums_answer_log_probabilities()
    {
        using var scope = NewDisposeScope();
        var model = Tiny();
        long[] context = [S, 10, B, I, I, I, I, 12];
        var images = Images(1, 9);
        var scores = model.ScoreOptions(Batch([context], images), [[13], [13, 14]]);
        var logits = model.forward(Batch([[.. context, 13, 14]], images)).Logits[0];
        var logProbabilities = nn.functional.log_softmax(logits.to(float32), -1);
        double first = logProbabilities[7, 13].item<float>(), second = first + logProbabilities[8, 14].item<float>();
        Assert.Equal(first, scores[0], 4);
        Assert.Equal(second, scores[1], 4);
    }

    [Fact]
    public void A_pretrained_encoder_file_is_loaded_and_the_vit_frozen_as_configured()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var source = new MMInterleavedModel(ModelPresets.Tiny);
        string file = Path.Combine(Path.GetTempPath(), $"mmi-encoder-{Guid.NewGuid():N}.safetensors");
        try
        {
            source.VisualTokenizer.Encoder.SaveToSafetensors(file);
            manual_seed(5);
            var model = new MMInterleavedModel(ModelPresets.Tiny with { FreezeVisionEncoder = true });
            Assert.Equal(file, model.LoadPretrainedEncoder(file));
            var expected = source.VisualTokenizer.Encoder.state_dict();
            foreach (var (key, value) in model.VisualTokenizer.Encoder.state_dict())
                Assert.True(value.eq(expected[key]).all().item<bool>(), key);
            var encoderParameters = model.VisualTokenizer.Encoder.named_parameters().ToList();
            Assert.All(encoderParameters.Where(p => !p.name.Contains("adapter")), p => Assert.False(p.parameter.requires_grad, p.name));
            Assert.All(encoderParameters.Where(p => p.name.Contains("adapter")), p => Assert.True(p.parameter.requires_grad, p.name));
            // FreezeAdapter: nothing in the encoder trains and its features carry no autograd graph; the resampler still trains
            var frozen = new MMInterleavedModel(ModelPresets.Tiny with { FreezeVisionEncoder = true, FreezeAdapter = true });
            frozen.LoadPretrainedEncoder(file);
            Assert.All(frozen.VisualTokenizer.Encoder.parameters(), p => Assert.False(p.requires_grad));
            var output = frozen.VisualTokenizer.forward(rand(2, 3, 32, 32));
            Assert.True(output.VisualTokens.requires_grad);
            Assert.All(output.MultiScaleFeatures, map => Assert.False(map.requires_grad));
            var missing = Assert.Throws<FileNotFoundException>(() => model.LoadPretrainedEncoder(file + ".absent"));
            Assert.Contains(".absent", missing.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
