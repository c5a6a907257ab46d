using MMInterleaved.Diffusion;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>The UNet against diffusers 0.20.0 itself (Fixtures/unet, made by its generator in float64): the time
/// projection at float32 level, everything after it at float64 rounding level, the output end to end at 1e-6, the
/// ControlNet residuals and a side that is not a multiple of the up-sampling.</summary>
[Collection(TorchCollection.Name)]
public sealed class UNetParityTests : IDisposable
{
    private readonly SafetensorsFixture io = new("unet/unet_io.safetensors");
    private readonly UNet2DConditionModel unet;

    public UNetParityTests()
    {
        unet = UNet2DConditionModel.FromPretrained(Path.Combine(RepositoryPaths.TestFixtures, "unet", "unet"));
        unet.to(float64);
        unet.eval();
    }

    public void Dispose()
    {
        unet.Dispose();
        io.Dispose();
    }

    [Fact]
    public void The_output_matches_diffusers_end_to_end_and_every_tap_with_its_time_projection()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var timeProjection = unet.TimeProjection(io["timestep"], 2);
        Assert.True(SafetensorsFixture.RelativeError(timeProjection, io["t_emb"]) <= 1e-5);
        Assert.True(SafetensorsFixture.RelativeError(unet.forward(io["sample"], io["timestep"], io["encoder_hidden_states"]), io["out"]) <= 1e-6);

        // from the stored float32 projection on, the network is float64 throughout: rounding level
        var errors = new Dictionary<string, double>();
        var output = unet.Denoise(io["sample"], io["t_emb"], io["encoder_hidden_states"], tap: (name, t) => errors[name] = SafetensorsFixture.RelativeError(t, io[name]));
        Assert.Equal(["emb", "down_res.00", "down_res.01", "down_res.02", "down_res.03", "mid_out"], errors.Keys);
        Assert.All(errors, kv => Assert.True(kv.Value <= 1e-12, $"{kv.Key}: {kv.Value:E2}"));
        Assert.True(SafetensorsFixture.RelativeError(output, io["out"]) <= 1e-12);
        Assert.Equal(4, unet.SkipCount);
    }

    [Fact]
    public void Additional_residuals_are_added_where_diffusers_adds_them()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var residuals = Enumerable.Range(0, 4).Select(i => io[$"res_in.down.{i:00}"]).ToList();
        var output = unet.Denoise(io["sample"], io["t_emb"], io["encoder_hidden_states"], residuals, io["res_in.mid"]);
        Assert.True(SafetensorsFixture.RelativeError(output, io["out_with_residuals"]) <= 1e-12);
        Assert.Throws<ArgumentException>(() => unet.forward(io["sample"], io["timestep"], io["encoder_hidden_states"], residuals));
    }

    [Fact]
    public void A_side_that_is_not_a_multiple_of_the_upsampling_is_forwarded_to_the_upsamplers()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var odd = unet.Denoise(io["odd.sample"], io["t_emb"], io["encoder_hidden_states"]);
        Assert.Equal([2, 3, 13, 10], odd.shape);
        Assert.True(SafetensorsFixture.RelativeError(odd, io["odd.out"]) <= 1e-12);
    }
}
