using MMInterleaved.Diffusion;
using MMInterleaved.Tests.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>The VAE against diffusers 0.20.0 (Fixtures/unet/vae*, float64, softmax in float64).</summary>
[Collection(TorchCollection.Name)]
public sealed class VaeParityTests
{
    private static string Folder => Path.Combine(RepositoryPaths.TestFixtures, "unet", "vae");

    [Fact]
    public void Encode_and_decode_match_diffusers_at_rounding_level()
    {
        using var io = new SafetensorsFixture("unet/vae_io.safetensors");
        using var vae = AutoencoderKL.FromPretrained(Folder);
        vae.to(float64);
        vae.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double encoderError = double.NaN, midError = double.NaN;
        var posterior = vae.Encode(io["image"], moments => encoderError = SafetensorsFixture.RelativeError(moments, io["encoder_out"]));
        Assert.True(encoderError <= 1e-12, $"encoder_out {encoderError:E2}");
        foreach (var (name, tensor) in new[] { ("posterior_mean", posterior.Mean), ("posterior_logvar", posterior.LogVar), ("posterior_std", posterior.Std) })
            Assert.True(SafetensorsFixture.RelativeError(tensor, io[name]) <= 1e-12, name);
        var decoded = vae.Decode(io["posterior_mean"], mid => midError = SafetensorsFixture.RelativeError(mid, io["decoder_mid_out"]));
        Assert.True(midError <= 1e-12, $"decoder_mid_out {midError:E2}");
        Assert.True(SafetensorsFixture.RelativeError(decoded, io["decoded"]) <= 1e-12);
        // diffusers' stock float32 softmax differs from the float64 one by ~1.7e-8 (fixture README): far above our error
        Assert.True(SafetensorsFixture.RelativeError(io["stock.decoded"], io["decoded"]) > 1e-10);
        Assert.Equal(4, vae.Config.LatentChannels);
        Assert.Equal(0.18215, vae.Config.ScalingFactor);
    }

    [Fact]
    public void Legacy_attention_key_names_load_and_sd21s_vae_has_its_size()
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(Folder, "config.json"), folder.File("config.json"));
        var state = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(Folder, UNet2DConditionModel.WeightsFile));
        string Legacy(string key) => key.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn.");
        TorchSharp.PyBridge.Safetensors.SaveStateDict(folder.File(UNet2DConditionModel.WeightsFile), state.ToDictionary(kv => Legacy(kv.Key), kv => kv.Value));
        Assert.Contains(state.Keys, k => k.Contains(".to_q.", StringComparison.Ordinal));
        using (var legacy = AutoencoderKL.FromPretrained(folder.Path))
        using (var modern = AutoencoderKL.FromPretrained(Folder))
        {
            var a = legacy.state_dict();
            var b = modern.state_dict();
            Assert.All(b, kv => Assert.True(kv.Value.eq(a[kv.Key]).all().item<bool>(), kv.Key));
        }
        foreach (var t in state.Values) t.Dispose();

        var previous = get_default_device();
        set_default_device(new Device(DeviceType.META));
        try
        {
            using var sd = new AutoencoderKL();
            var named = sd.named_parameters().ToList();
            Assert.Equal((248, 83_653_863L), (named.Count, named.Sum(p => p.parameter.numel())));   // diffusion-spec: 248 tensors
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
