using MMInterleaved.Mmfs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Mmfs;

/// <summary>MMFS against the reference module's own outputs and gradients (fixtures/mmfs, float64, random parameters).</summary>
[Collection(TorchCollection.Name)]
public class MmfsParityTests
{
    public static TheoryData<string, string, double, bool> Cases() => new()
    {
        { "mmfs_llm_a", "float64", 1e-9, false },
        { "mmfs_llm_a", "float32", 1e-4, false },
        { "mmfs_unet_a", "float64", 1e-9, false },
        { "mmfs_unet_a", "float32", 1e-4, false },
        { "mmfs_llm_a", "float64", 1e-9, true },   // the straightforward (reference-shaped) formulation
        { "mmfs_unet_a", "float64", 1e-9, true },
    };

    internal static MmfsOptions OptionsOf(SafetensorsFixture fx) => new(
        DModel: fx.Int("d_model"), DQuery: fx.Int("d_query"), DValue: fx.Int("d_value"), DOut: fx.Int("d_out"),
        NumLevels: fx.Int("n_levels"), NumHeads: fx.Int("n_heads"), NumPoints: fx.Int("n_points"), Ratio: fx.Double("ratio"),
        OffsetInitMagnitude: fx.Double("offset_init_magnitude"), SpatialShapes: fx.Ints("spatial_shapes"),
        BaseSpatialShape: fx.Int("base_spatial_shape"), MaxImagesPerSequence: fx.Int("max_num_image_per_seq"));

    internal static MultiModalFeatureSynchronizer LoadModule(SafetensorsFixture fx, ScalarType dtype)
    {
        var module = new MultiModalFeatureSynchronizer(OptionsOf(fx));
        module.to(dtype);
        using (no_grad())
            foreach (var (name, tensor) in module.state_dict())
                tensor.copy_(fx["param." + name]);
        return module;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_and_all_gradients_match_the_reference(string fixture, string dtypeName, double tolerance, bool straightforward)
    {
        using var scope = NewDisposeScope();
        using var fx = new SafetensorsFixture($"mmfs/{fixture}.safetensors");
        var dtype = dtypeName == "float64" ? float64 : float32;
        var module = LoadModule(fx, dtype);
        var query = fx["query"].to(dtype).requires_grad_();
        var features = fx["input_flatten"].to(dtype).requires_grad_();
        var args = (query, fx["reference_points"].to(dtype), features, fx["spatial_shapes"], fx["level_start_index"], fx["attention_mask"]);

        var output = straightforward
            ? module.ForwardStraightforward(args.query, args.Item2, args.features, args.Item4, args.Item5, args.Item6)
            : module.forward(args.query, args.Item2, args.features, args.Item4, args.Item5, args.Item6);
        output.backward([fx["grad_output"].to(dtype)]);

        void Check(Tensor actual, string expected) =>
            Assert.True(SafetensorsFixture.RelativeError(actual, fx[expected]) <= tolerance,
                $"{expected}: relative error {SafetensorsFixture.RelativeError(actual, fx[expected]):E2} > {tolerance:E0}");
        Check(output, "output");
        Check(query.grad!, "grad_query");
        Check(features.grad!, "grad_input_flatten");
        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        Assert.Equal(fx.Tensors.Keys.Where(k => k.StartsWith("grad.")).Select(k => k[5..]).Order(), trainable.Select(p => p.name).Order());
        foreach (var (name, parameter) in trainable) Check(parameter.grad!, "grad." + name);
    }

    [Fact]
    public void State_dict_keys_equal_the_reference_and_nothing_more()
    {
        using var fx = new SafetensorsFixture("mmfs/mmfs_llm_a.safetensors");
        var module = new MultiModalFeatureSynchronizer(OptionsOf(fx));
        var expected = fx.Tensors.Keys.Where(k => k.StartsWith("param.")).Select(k => k[6..]).Order().ToList();
        Assert.Equal(expected, module.state_dict().Keys.Order().ToList());
        foreach (var (name, tensor) in module.state_dict())
            Assert.Equal(fx["param." + name].shape, tensor.shape);
    }
}
