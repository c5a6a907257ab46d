using MMInterleaved.Ops;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Tests.Ops;

[Collection(TorchCollection.Name)]
public class MSDeformAttnTests
{
    private static readonly MSDeformAttnOptions Options = new(DModel: 16, NumLevels: 2, NumHeads: 4, NumPoints: 3, Ratio: 0.5);
    private static readonly (long H, long W)[] Shapes = [(4, 5), (2, 3)];

    [Fact]
    public void State_dict_keys_and_shapes_equal_the_reference()
    {
        var module = new MSDeformAttn(Options);
        var shapes = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(new Dictionary<string, long[]>
        {
            ["sampling_offsets.weight"] = [48, 16], ["sampling_offsets.bias"] = [48],
            ["attention_weights.weight"] = [24, 16], ["attention_weights.bias"] = [24],
            ["value_proj.weight"] = [8, 16], ["value_proj.bias"] = [8],
            ["output_proj.weight"] = [16, 8], ["output_proj.bias"] = [16],
        }, shapes);
    }

    [Fact]
    public void Offsets_start_on_the_radial_grid_and_weights_uniform()
    {
        var module = new MSDeformAttn(Options);
        var bias = module.get_parameter("sampling_offsets.bias")!.view(4, 2, 3, 2);
        // 4 heads: directions (1,0), (0,1), (-1,0), (0,-1) after max-norm scaling; point i at distance i+1; same per level
        double[,] directions = { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 } };
        for (int h = 0; h < 4; h++)
            for (int l = 0; l < 2; l++)
                for (int i = 0; i < 3; i++)
                {
                    Assert.Equal(directions[h, 0] * (i + 1), bias[h, l, i, 0].item<float>(), 5);
                    Assert.Equal(directions[h, 1] * (i + 1), bias[h, l, i, 1].item<float>(), 5);
                }
        Assert.Equal(0.0, module.get_parameter("attention_weights.weight")!.abs().max().item<float>());
        Assert.Equal(0.0, module.get_parameter("sampling_offsets.weight")!.abs().max().item<float>());
    }

    [Fact]
    public void Forward_equals_a_direct_per_level_grid_sample_computation()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var module = new MSDeformAttn(Options);
        module.to(float64);
        using (no_grad())
            foreach (var (_, q) in module.named_parameters()) q.add_(randn_like(q) * 0.2);
        var g = new Generator(12);
        long n = 2, lq = 5, s = Shapes.Sum(x => x.H * x.W);
        var query = randn([n, lq, 16], generator: g, dtype: float64);
        var features = randn([n, s, 16], generator: g, dtype: float64);
        var reference = rand([n, lq, 2, 2], generator: g, dtype: float64);
        var spatial = tensor(new long[] { 4, 5, 2, 3 }).view(2, 2);
        var starts = tensor(new long[] { 0, 20 });
        var padding = rand([n, s], generator: g) > 0.8;

        var actual = module.forward(query, reference, features, spatial, starts, padding);

        // Direct transcription of Deformable-DETR's forward with its pure-PyTorch core, one level at a time.
        var p = module.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var value = F.linear(features, p["value_proj.weight"], p["value_proj.bias"]).masked_fill(padding.unsqueeze(-1), 0.0).view(n, s, 4, 2);
        var offsets = F.linear(query, p["sampling_offsets.weight"], p["sampling_offsets.bias"]).view(n, lq, 4, 2, 3, 2);
        var weights = F.softmax(F.linear(query, p["attention_weights.weight"], p["attention_weights.bias"]).view(n, lq, 4, 6), -1).view(n, lq, 4, 2, 3);
        Tensor? sum = null;
        for (int l = 0; l < 2; l++)
        {
            var (h, w) = Shapes[l];
            var map = value.narrow(1, l == 0 ? 0 : 20, h * w).permute(0, 2, 3, 1).reshape(n * 4, 2, h, w);
            var loc = reference.select(2, l).view(n, lq, 1, 1, 2) + offsets.select(3, l) / tensor(new double[] { w, h });
            var grid = (loc * 2 - 1).permute(0, 2, 1, 3, 4).reshape(n * 4, lq, 3, 2);
            var sampled = F.grid_sample(map, grid, mode: GridSampleMode.Bilinear, padding_mode: GridSamplePaddingMode.Zeros, align_corners: false);
            var a = weights.select(3, l).permute(0, 2, 1, 3).reshape(n * 4, 1, lq, 3);
            var part = (sampled * a).sum(-1);
            sum = sum is null ? part : sum + part;
        }
        var core = sum!.view(n, 8, lq).transpose(1, 2);
        var expected = F.linear(core, p["output_proj.weight"], p["output_proj.bias"]);
        Assert.True(SafetensorsFixture.RelativeError(actual, expected) <= 1e-12);
    }

    [Fact]
    public void Padded_positions_have_no_influence()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var module = new MSDeformAttn(Options);
        var query = randn(1, 3, 16);
        var features = randn(1, 26, 16);
        var padding = zeros(1, 26, dtype: ScalarType.Bool);
        padding[0, TensorIndex.Slice(20, 26)] = tensor(true);
        var spatial = tensor(new long[] { 4, 5, 2, 3 }).view(2, 2);
        var starts = tensor(new long[] { 0, 20 });
        var reference = rand(1, 3, 1, 2);
        var a = module.forward(query, reference, features, spatial, starts, padding);
        var changed = features.clone();
        changed[0, TensorIndex.Slice(20, 26)] = randn(6, 16) * 100;
        var b = module.forward(query, reference, changed, spatial, starts, padding);
        Assert.True(a.allclose(b, 0, 1e-6));
    }
}
