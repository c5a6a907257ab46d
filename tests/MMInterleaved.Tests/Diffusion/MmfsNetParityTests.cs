using MMInterleaved.Diffusion;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>MMFSNet against the reference's own MMFSNet hooked into the fixture UNet by its patched forward
/// (Fixtures/unet/mmfsnet_io, float64, the reference's pure-PyTorch deformable core).</summary>
[Collection(TorchCollection.Name)]
public sealed class MmfsNetParityTests
{
    private static readonly MmfsNetConfig FixtureConfig = new()
    {
        InputChannel = 16, AttnDim = 64, NumHeads = 4, NumPoints = 2, SpatialShapes = [16, 8], DownsampleFactor = 4, BaseSpatialShape = MmfsNetBase.Reference,
    };

    private static string UNetFolder => Path.Combine(RepositoryPaths.TestFixtures, "unet", "unet");

    [Fact]
    public void The_hooked_skips_mid_and_output_match_the_reference()
    {
        using var io = new SafetensorsFixture("unet/mmfsnet_io.safetensors");
        using var unet = UNet2DConditionModel.FromPretrained(UNetFolder);
        using var net = new MmfsNet(FixtureConfig, unet.Config, sampleSize: 16);
        // our sin-cos tables equal the reference's numpy float32 ones to float32 rounding
        for (int i = 0; i < 4; i++)
            Assert.True(SafetensorsFixture.RelativeError(net.Block(i).named_parameters().First(p => p.name == "pos_embed").parameter, io[$"param.mmfs_down_blocks.{i}.pos_embed"]) <= 1e-6);
        MMInterleaved.Runtime.StateDictFile.Load(net, Path.Combine(RepositoryPaths.TestFixtures, "unet", "mmfsnet_io.safetensors"), nameof(MmfsNet), prefix: "param.");
        unet.to(float64);
        net.to(float64);
        unet.eval();
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var hook = net.Hook([io["mmfs_features.0"], io["mmfs_features.1"]], io["mmfs_mask"]);

        // the hook alone, on the reference's skips and mid output
        var skips = Enumerable.Range(0, 4).Select(i => io[$"down_res.{i:00}"]).ToList();
        var (mid, hooked) = hook(io["mid_out"], skips);
        Assert.True(SafetensorsFixture.RelativeError(mid, io["new_mid"]) <= 1e-12, $"new_mid {SafetensorsFixture.RelativeError(mid, io["new_mid"]):E2}");
        for (int i = 0; i < 4; i++)
            Assert.True(SafetensorsFixture.RelativeError(hooked[i], io[$"new_down_res.{i:00}"]) <= 1e-12, $"new_down_res.{i:00}: {SafetensorsFixture.RelativeError(hooked[i], io[$"new_down_res.{i:00}"]):E2}");
        // the MMFS blocks really changed the skips (random zero-conv weights in the fixture)
        Assert.True(SafetensorsFixture.RelativeError(io["new_mid"], io["mid_out"]) > 1e-3);

        // in the UNet's forward pass, end to end (diffusers' float32 time projection: 1e-6, as the UNet's own parity)
        var output = unet.Denoise(io["sample"], unet.TimeProjection(io["timestep"], 2), io["encoder_hidden_states"], hook: hook);
        Assert.True(SafetensorsFixture.RelativeError(output, io["out"]) <= 1e-6);
    }

    [Fact]
    public void A_new_mmfsnet_changes_nothing_bit_for_bit_and_its_keys_are_the_references()
    {
        using var io = new SafetensorsFixture("unet/mmfsnet_io.safetensors");
        using var unet = UNet2DConditionModel.FromPretrained(UNetFolder);
        manual_seed(4);
        using var net = new MmfsNet(FixtureConfig, unet.Config, sampleSize: 16);
        Assert.Equal(io.Tensors.Keys.Where(k => k.StartsWith("param.", StringComparison.Ordinal)).Select(k => k["param.".Length..]).Order(StringComparer.Ordinal),
            net.named_parameters().Select(p => p.name).Order(StringComparer.Ordinal));
        Assert.All(net.named_parameters().Where(p => p.name.EndsWith("pos_embed", StringComparison.Ordinal) || p.name.EndsWith("ignore_token", StringComparison.Ordinal)),
            p => Assert.False(p.parameter.requires_grad, p.name));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = new[] { io["mmfs_features.0"].to(float32), io["mmfs_features.1"].to(float32) };
        var sample = io["sample"].to(float32);
        var context = io["encoder_hidden_states"].to(float32);
        var plain = unet.forward(sample, io["timestep"], context);
        var hooked = unet.Denoise(sample, unet.TimeProjection(io["timestep"], 2), context, hook: net.Hook(features, io["mmfs_mask"]));
        Assert.Equal(plain.data<float>().ToArray(), hooked.data<float>().ToArray());
    }
}
