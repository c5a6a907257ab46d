using MMInterleaved.Diffusion;
using MMInterleaved.Tests.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Diffusion;

/// <summary>The UNet's config, names and sizes against diffusers and the spec's independent counts.</summary>
[Collection(TorchCollection.Name)]
public sealed class UNetStructureTests
{
    private static (long Tensors, long Parameters, HashSet<string> Names) CountOnMeta(UNet2DConditionConfig config)
    {
        var previous = get_default_device();
        set_default_device(new Device(DeviceType.META));
        try
        {
            using var unet = new UNet2DConditionModel(config);
            var named = unet.named_parameters().ToList();
            return (named.Count, named.Sum(p => p.parameter.numel()), named.Select(p => p.name).ToHashSet());
        }
        finally
        {
            set_default_device(previous);
        }
    }

    [Fact]
    public void The_sd21_base_unet_has_diffusers_tensor_and_parameter_counts()
    {
        // diffusion-spec §1: 686 tensors, 865,910,724 parameters (the C# peer's SD2 state-dict dump)
        var (tensors, parameters, names) = CountOnMeta(new UNet2DConditionConfig());
        Assert.Equal(686, tensors);
        Assert.Equal(865_910_724, parameters);
        Assert.Contains("down_blocks.1.resnets.0.conv_shortcut.weight", names);
        Assert.DoesNotContain("down_blocks.0.resnets.0.conv_shortcut.weight", names);
        Assert.Contains("up_blocks.3.attentions.2.transformer_blocks.0.ff.net.2.weight", names);
        Assert.Contains("mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0.bias", names);
        Assert.DoesNotContain("mid_block.attentions.0.transformer_blocks.0.attn2.to_q.bias", names);
        Assert.DoesNotContain(names, n => n.StartsWith("down_blocks.3.downsamplers", StringComparison.Ordinal) || n.StartsWith("up_blocks.3.upsamplers", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tiny_pixel_unet_of_the_spec_has_its_size_and_its_weights_are_the_fixture_files_keys()
    {
        var tiny = new UNet2DConditionConfig
        {
            SampleSize = 32, InChannels = 3, OutChannels = 3, BlockOutChannels = [32, 64], LayersPerBlock = 1, AttentionHeads = [2, 4],
            CrossAttentionDim = 64, NormNumGroups = 8,
            DownBlockTypes = [UNet2DConditionConfig.CrossAttnDown, UNet2DConditionConfig.PlainDown], UpBlockTypes = [UNet2DConditionConfig.PlainUp, UNet2DConditionConfig.CrossAttnUp],
        };
        Assert.Equal(802_627, CountOnMeta(tiny).Parameters);   // diffusion-spec §2
        Assert.Equal([("up_blocks.0.resnets.0", 128), ("up_blocks.0.resnets.1", 96), ("up_blocks.1.resnets.0", 96), ("up_blocks.1.resnets.1", 64)], tiny.UpResnetInputWidths());

        string folder = Path.Combine(RepositoryPaths.TestFixtures, "unet", "unet");
        var fromFile = UNet2DConditionConfig.Load(Path.Combine(folder, UNet2DConditionModel.ConfigFile));
        var fileKeys = TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(folder, UNet2DConditionModel.WeightsFile));
        Assert.Equal(fileKeys.Keys.Order(StringComparer.Ordinal), CountOnMeta(fromFile).Names.Order(StringComparer.Ordinal));
        foreach (var t in fileKeys.Values) t.Dispose();
    }

    [Fact]
    public void A_config_round_trips_and_unsupported_or_inconsistent_keys_are_named()
    {
        string folder = Path.Combine(RepositoryPaths.TestFixtures, "unet", "unet");
        var config = UNet2DConditionConfig.Load(Path.Combine(folder, UNet2DConditionModel.ConfigFile));
        Assert.Equal([2, 4], config.AttentionHeads);
        Assert.Equal(48, config.CrossAttentionDim);
        Assert.Equal(config, UNet2DConditionConfig.FromJson(config.ToJson()), new ConfigComparer());
        Assert.Equal([8, 8], UNet2DConditionConfig.FromJson("""{"attention_head_dim": 8, "block_out_channels": [32, 64], "norm_num_groups": 8, "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]}""").AttentionHeads);

        string Error(string json) => Assert.Throws<InvalidDataException>(() => UNet2DConditionConfig.FromJson(json, "u.json")).Message;
        Assert.Contains("u.json: class_embed_type is \"timestep\"", Error("""{"class_embed_type": "timestep"}"""));
        Assert.Contains("unknown key 'num_layers'", Error("""{"num_layers": 3}"""));
        Assert.Contains("attention_head_dim[0] (heads) is 3", Error("""{"attention_head_dim": [3, 10, 20, 20]}"""));
        Assert.Contains("up_block_types[0]", Error("""{"up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}"""));
        Assert.Contains("not valid JSON", Error("{"));
        Assert.Contains("resnet_out_scale_factor", Error("""{"resnet_out_scale_factor": 2.0}"""));
        UNet2DConditionConfig.FromJson("""{"resnet_out_scale_factor": 1, "dropout": 0}""");   // defaults in any number form
    }

    [Fact]
    public void GroupNorms_start_at_one_and_zero_and_a_saved_unet_reopens_identical()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        manual_seed(1);
        var config = UNet2DConditionConfig.Load(Path.Combine(RepositoryPaths.TestFixtures, "unet", "unet", UNet2DConditionModel.ConfigFile));
        using var unet = new UNet2DConditionModel(config);
        foreach (var (name, p) in unet.named_parameters().Where(p => p.name.EndsWith("norm1.weight", StringComparison.Ordinal) || p.name.EndsWith(".norm.weight", StringComparison.Ordinal) || p.name == "conv_norm_out.weight"))
            Assert.True(p.eq(1).all().item<bool>(), name);
        Assert.True(unet.named_parameters().First(p => p.name == "conv_norm_out.bias").parameter.eq(0).all().item<bool>());
        unet.SavePretrained(folder.Path);
        using var reopened = UNet2DConditionModel.FromPretrained(folder.Path);
        using var noGrad = no_grad();
        var sample = randn(1, 3, 16, 16);
        var context = randn(1, 5, 48);
        Assert.Equal(unet.forward(sample, tensor(10L), context).data<float>().ToArray(), reopened.forward(sample, tensor(10L), context).data<float>().ToArray());
        File.WriteAllText(Path.Combine(folder.Path, UNet2DConditionModel.WeightsFile), "nonsense");
        Assert.Contains(UNet2DConditionModel.WeightsFile, Assert.Throws<InvalidDataException>(() => UNet2DConditionModel.FromPretrained(folder.Path)).Message);
    }

    private sealed class ConfigComparer : IEqualityComparer<UNet2DConditionConfig>
    {
        public bool Equals(UNet2DConditionConfig? a, UNet2DConditionConfig? b) => a!.ToJson() == b!.ToJson();
        public int GetHashCode(UNet2DConditionConfig c) => c.ToJson().GetHashCode();
    }
}
