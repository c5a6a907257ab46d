using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public class VisionForwardTests
{
    private const int G = TinyVision.Grid, W = TinyVision.Width;

    [Fact]
    public void Outputs_have_the_pyramid_and_token_shapes()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(5);
        var output = model.forward(TinyVision.Images(2, 6));
        Assert.Equal(new long[] { 2, 1 + G * G, W }, output.LastHiddenState.shape);
        Assert.Equal(4, output.MultiScaleFeatures.Length);
        Assert.Equal(new long[] { 2, W, 4 * G, 4 * G }, output.MultiScaleFeatures[0].shape);
        Assert.Equal(new long[] { 2, W, 2 * G, 2 * G }, output.MultiScaleFeatures[1].shape);
        Assert.Equal(new long[] { 2, W, G, G }, output.MultiScaleFeatures[2].shape);
        Assert.Equal(new long[] { 2, W, G / 2, G / 2 }, output.MultiScaleFeatures[3].shape);
        foreach (var t in output.MultiScaleFeatures.Append(output.LastHiddenState))
            Assert.True(t.isfinite().all().item<bool>());
    }

    [Fact]
    public void Wrong_input_shape_is_rejected_with_the_expected_shape()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(5);
        var error = Assert.Throws<ArgumentException>(() => model.forward(randn(1, 3, 28, 28)));
        Assert.Contains("[B, 3, 32, 32]", error.Message);
    }

    /// <summary>A plain CLIP ViT written out from the parameters: conv patches, CLS, positions, pre-LN, then the first
    /// <paramref name="layers"/> pre-LN layers with matmul-softmax attention and quick_gelu; no final LN.</summary>
    private static Tensor PlainClipVit(Dictionary<string, Tensor> p, Tensor pixels, int layers = 4)
    {
        const string v = "vision_model.";
        long b = pixels.shape[0];
        var patches = F.conv2d(pixels, p[v + "embeddings.patch_embedding.weight"], strides: [4, 4]).flatten(2).transpose(1, 2);
        var cls = p[v + "embeddings.class_embedding"].view(1, 1, W).expand(b, 1, W);
        var h = cat([cls, patches], 1) + p[v + "embeddings.position_embedding.weight"].unsqueeze(0);
        h = F.layer_norm(h, [W], p[v + "pre_layrnorm.weight"], p[v + "pre_layrnorm.bias"], 1e-5);
        for (int i = 0; i < layers; i++)
        {
            string l = $"{v}encoder.layers.{i}.";
            Tensor Lin(Tensor x, string name) => F.linear(x, p[l + name + ".weight"], p[l + name + ".bias"]);
            var a = F.layer_norm(h, [W], p[l + "layer_norm1.weight"], p[l + "layer_norm1.bias"], 1e-5);
            long t = a.shape[1];
            Tensor Heads(string name) => Lin(a, "self_attn." + name).view(b, t, 2, W / 2).transpose(1, 2);
            var scores = Heads("q_proj").matmul(Heads("k_proj").transpose(-1, -2)) / Math.Sqrt(W / 2);
            var attended = scores.softmax(-1).matmul(Heads("v_proj")).transpose(1, 2).reshape(b, t, W);
            h = h + Lin(attended, "self_attn.out_proj");
            var m = Lin(F.layer_norm(h, [W], p[l + "layer_norm2.weight"], p[l + "layer_norm2.bias"], 1e-5), "mlp.fc1");
            h = h + Lin(m * sigmoid(1.702 * m), "mlp.fc2");
        }
        return h;
    }

    /// <summary>The patch-token map [B, W, G, G] after the first <paramref name="layers"/> plain layers.</summary>
    private static Tensor PlainMap(Dictionary<string, Tensor> p, Tensor pixels, int layers) =>
        PlainClipVit(p, pixels, layers).narrow(1, 1, G * G).transpose(1, 2).reshape(pixels.shape[0], W, G, G);

    private static Tensor Bilinear(Tensor map, double factor) =>
        F.interpolate(map, scale_factor: [factor, factor], mode: InterpolationMode.Bilinear, align_corners: false);

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<double>();

    [Fact]
    public void With_zero_injector_gammas_the_tokens_equal_a_plain_clip_vit()
    {
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(7);
        model.to(float64);
        // Make every zero-initialised adapter part active, but keep the injector gammas at their initial 0.
        TinyVision.Perturb(model, 0.3, name => name.Contains("adapter") && !name.EndsWith("gamma", StringComparison.Ordinal));
        var pixels = TinyVision.Images(2, 8, float64);
        var p = model.state_dict();

        var expected = PlainClipVit(p, pixels);
        var actual = model.forward(pixels).LastHiddenState;
        Assert.True(MaxDiff(actual, expected) < 1e-10, $"max diff {MaxDiff(actual, expected)}");

        // The check is sensitive: with non-zero gammas the injected features change the tokens.
        TinyVision.Perturb(model, 0.3, name => name.EndsWith("gamma", StringComparison.Ordinal));
        var injected = model.forward(pixels).LastHiddenState;
        Assert.True(MaxDiff(injected, expected) > 1e-3);
    }

    [Fact]
    public void Pyramid_levels_add_the_stage_maps_resampled_as_the_reference()
    {
        // Silence the adapter attention (output_proj 0, no ConvFFN) and make the SPM and adapter_up outputs constant
        // (weights 0, known biases): then c_k = constants + the resampled ViT map after stage k, all computable here.
        using var scope = NewDisposeScope();
        var model = TinyVision.Build(9, TinyVision.Adapter with { WithCffn = false });
        model.to(float64);
        var p = model.state_dict();
        using (no_grad())
        {
            foreach (var (name, t) in p)
                if (name.Contains("output_proj") || (name.Contains("adapter_spm.fc") && name.EndsWith("weight", StringComparison.Ordinal)))
                    t.zero_();
            for (int i = 1; i <= 4; i++) p[$"vision_model.adapter_spm.fc{i}.bias"].fill_(0.1 * i);
            p["vision_model.adapter_level_embed"].copy_(tensor(new double[] { 1, 2, 3 }).view(3, 1).expand(3, W));
            p["vision_model.adapter_up.weight"].zero_();
            p["vision_model.adapter_up.bias"].fill_(-1.0);
        }
        var pixels = TinyVision.Images(2, 10, float64);
        var c = model.forward(pixels).MultiScaleFeatures;

        Assert.True(MaxDiff(c[0], Bilinear(PlainMap(p, pixels, 1), 4) + (-1.0 + 0.1)) < 1e-10);
        Assert.True(MaxDiff(c[1], Bilinear(PlainMap(p, pixels, 2), 2) + (0.2 + 1)) < 1e-10);
        Assert.True(MaxDiff(c[2], PlainMap(p, pixels, 3) + (0.3 + 2)) < 1e-10);
        Assert.True(MaxDiff(c[3], Bilinear(PlainMap(p, pixels, 4), 0.5) + (0.4 + 3)) < 1e-10);
    }
}
