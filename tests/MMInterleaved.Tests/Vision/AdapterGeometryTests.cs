using MMInterleaved.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Tests.Vision;

/// <summary>Where the adapter's deformable attentions look, checked through what they return at initialisation
/// (offsets 0 after HF's bias init, uniform attention weights: every point sits on its reference point).</summary>
[Collection(TorchCollection.Name)]
public class AdapterGeometryTests
{
    private const int G = TinyVision.Grid, W = TinyVision.Width;

    [Fact]
    public void Deform_inputs_are_the_reference_cell_centres_shapes_and_starts()
    {
        using var scope = NewDisposeScope();
        var d = AdapterDeformInputs.Build(G, float32, CPU);
        Assert.Equal(new long[] { 1, G * G, 1, 2 }, d.InjectorReference.shape);
        Assert.Equal(new long[] { 1, 4 * G * G + G * G + G * G / 4, 1, 2 }, d.ExtractorReference.shape);
        Assert.Equal(new long[] { 16, 16, 8, 8, 4, 4 }, d.InjectorShapes.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 256, 320 }, d.InjectorStarts.data<long>().ToArray());
        Assert.Equal(new long[] { 8, 8 }, d.ExtractorShapes.data<long>().ToArray());
        Assert.Equal(new long[] { 0 }, d.ExtractorStarts.data<long>().ToArray());
        float[] Point(Tensor r, int q) => r[0, q, 0].data<float>().ToArray();
        Assert.Equal(new[] { 1f / 16, 1f / 16 }, Point(d.InjectorReference, 0));
        Assert.Equal(new[] { 3f / 16, 1f / 16 }, Point(d.InjectorReference, 1)); // x varies fastest
        Assert.Equal(new[] { 1f / 16, 3f / 16 }, Point(d.InjectorReference, 8));
        Assert.Equal(new[] { 1f / 32, 1f / 32 }, Point(d.ExtractorReference, 0));
        Assert.Equal(new[] { 1f / 16, 1f / 16 }, Point(d.ExtractorReference, 256));
        Assert.Equal(new[] { 3f / 8, 1f / 8 }, Point(d.ExtractorReference, 321));
        Assert.Equal(new[] { 7f / 8, 7f / 8 }, Point(d.ExtractorReference, 335));
    }

    private static (ClipVisionAdapterModel Model, Dictionary<string, Tensor> P) Model(long seed)
    {
        var model = TinyVision.Build(seed, TinyVision.Adapter with { WithCffn = false });
        model.to(float64);
        // Non-trivial projections and norms; offsets and attention logits keep their zero init.
        TinyVision.Perturb(model, 0.3, n => n.Contains("adapter") && (n.Contains("value_proj") || n.Contains("output_proj") || n.Contains("norm")), seed);
        return (model, model.state_dict());
    }

    private static Tensor Lin(Dictionary<string, Tensor> p, string prefix, Tensor x) => F.linear(x, p[prefix + ".weight"], p[prefix + ".bias"]);

    private static Tensor Norm(Dictionary<string, Tensor> p, string prefix, Tensor x) =>
        F.layer_norm(x, [W], p[prefix + ".weight"], p[prefix + ".bias"], 1e-5);

    [Fact]
    public void Extractor_queries_sample_the_vit_map_at_their_own_cell_centres()
    {
        using var scope = NewDisposeScope();
        var (model, p) = Model(40);
        var extractor = model.VisionModel.Interactions[0].Extractors.First();
        const string e = "vision_model.adapter_interactions.0.extractor";
        var g = new Generator(41);
        var c = randn([2, 336, W], generator: g, dtype: float64);
        var x = randn([2, G * G, W], generator: g, dtype: float64);
        var attn = extractor.forward(c, x, AdapterDeformInputs.Build(G, float64, CPU)) - c;

        var value = Lin(p, e + ".attn.value_proj", Norm(p, e + ".feat_norm", x)); // [2,G²,16]
        var map = value.transpose(1, 2).reshape(2, 16, G, G);
        // c3 cells are the ViT cells; a c4 cell centre is the middle of a 2×2 block of ViT cells.
        var atC3 = Lin(p, e + ".attn.output_proj", value);
        var atC4 = Lin(p, e + ".attn.output_proj", F.avg_pool2d(map, 2).flatten(2).transpose(1, 2));
        Assert.True((attn.narrow(1, 256, 64) - atC3).abs().max().item<double>() < 1e-10);
        Assert.True((attn.narrow(1, 320, 16) - atC4).abs().max().item<double>() < 1e-10);
    }

    [Fact]
    public void Injector_queries_sample_all_three_spm_levels_at_the_patch_centres()
    {
        using var scope = NewDisposeScope();
        var (model, p) = Model(42);
        var injector = model.VisionModel.Interactions[1].Injector;
        const string i = "vision_model.adapter_interactions.1.injector";
        using (no_grad()) p[i + ".gamma"].fill_(1.0);
        var g = new Generator(43);
        var c = randn([2, 336, W], generator: g, dtype: float64);
        var x = randn([2, G * G, W], generator: g, dtype: float64);
        var attn = injector.forward(x, c, AdapterDeformInputs.Build(G, float64, CPU)) - x;

        var value = Lin(p, i + ".attn.value_proj", Norm(p, i + ".feat_norm", c));
        Tensor Level(long start, int side) => value.narrow(1, start, side * side).transpose(1, 2).reshape(2, 16, side, side);
        // A patch centre is the middle of a 2×2 block of c2 cells, a c3 cell centre, and a quarter-cell off c4 centres
        // (bilinear with zero padding outside, as Deformable-DETR's grid_sample core).
        var centres = (arange(G, dtype: float64) + 0.5) / G * 2 - 1;
        var grid = stack([centres.view(1, G).expand(G, G), centres.view(G, 1).expand(G, G)], -1).unsqueeze(0).expand(2, G, G, 2);
        var fromC4 = F.grid_sample(Level(320, G / 2), grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
        var mean = (F.avg_pool2d(Level(0, 2 * G), 2) + Level(256, G) + fromC4) / 3; // uniform over 3 levels × 4 coincident points
        var expected = Lin(p, i + ".attn.output_proj", mean.flatten(2).transpose(1, 2));
        Assert.True((attn - expected).abs().max().item<double>() < 1e-10);
    }

    [Fact]
    public void Depthwise_conv_runs_each_level_map_on_its_own()
    {
        using var scope = NewDisposeScope();
        manual_seed(44);
        var conv = new DepthwiseConv(5);
        int[] sides = [4, 2, 1];
        var x = randn(2, 21, 5);
        var y = conv.forward(x, sides);
        var p = conv.state_dict();
        long start = 0;
        foreach (int s in sides)
        {
            var map = x.narrow(1, start, s * s).transpose(1, 2).reshape(2, 5, s, s);
            var expected = F.conv2d(map, p["dwconv.weight"], p["dwconv.bias"], padding: [1, 1], groups: 5).flatten(2).transpose(1, 2);
            Assert.True((y.narrow(1, start, s * s) - expected).abs().max().item<float>() < 1e-6);
            start += s * s;
        }
        Assert.Throws<ArgumentException>(() => conv.forward(x, [4, 2]));
    }

    [Fact]
    public void Channels_first_layer_norm_normalises_over_channels()
    {
        using var scope = NewDisposeScope();
        var norm = new ChannelsFirstLayerNorm(6, eps: 1e-6);
        using (no_grad()) foreach (var (_, t) in norm.named_parameters()) t.add_(randn(6) * 0.5);
        norm.to(float64);
        var p = norm.state_dict();
        var x = randn(2, 6, 3, 4, dtype: float64);
        var expected = F.layer_norm(x.permute(0, 2, 3, 1), [6], p["weight"], p["bias"], 1e-6).permute(0, 3, 1, 2);
        Assert.True((norm.forward(x) - expected).abs().max().item<double>() < 1e-12);
        Assert.Equal(ScalarType.Float16, norm.forward(x.to(float16)).dtype); // computed in float32, returned in the input type
    }

    [Fact]
    public void Spatial_prior_module_levels_have_strides_4_8_16_32()
    {
        using var scope = NewDisposeScope();
        var spm = new SpatialPriorModule(8, W);
        var (c1, c2, c3, c4) = spm.forward(randn(1, 3, 128, 128));
        Assert.Equal(new long[] { 1, W, 32, 32 }, c1.shape);
        Assert.Equal(new long[] { 1, W, 16, 16 }, c2.shape);
        Assert.Equal(new long[] { 1, W, 8, 8 }, c3.shape);
        Assert.Equal(new long[] { 1, W, 4, 4 }, c4.shape);
    }
}
