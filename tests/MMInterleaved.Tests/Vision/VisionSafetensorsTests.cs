using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public sealed class VisionSafetensorsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mmi-vision-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Same shape and bit-identical values.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static ClipVisionAdapterModel Trained(long seed)
    {
        var model = TinyVision.Build(seed);
        TinyVision.Perturb(model, 0.1, name => name.Contains("adapter"), seed);
        return model;
    }

    [Fact]
    public void Save_and_load_reproduce_outputs_exactly()
    {
        using var scope = NewDisposeScope();
        var source = Trained(30);
        string path = Path.Combine(folder, "encoder.safetensors");
        source.SaveToSafetensors(path);

        var target = TinyVision.Build(31);
        target.LoadFromSafetensors(path);
        var pixels = TinyVision.Images(2, 32);
        using var noGrad = no_grad();
        var a = source.forward(pixels);
        var b = target.forward(pixels);
        Assert.True(Same(a.LastHiddenState, b.LastHiddenState));
        for (int i = 0; i < 4; i++) Assert.True(Same(a.MultiScaleFeatures[i], b.MultiScaleFeatures[i]));
        Assert.Equal(ScalarType.Int64, target.state_dict()["vision_model.embeddings.position_ids"].dtype);
    }

    [Fact]
    public void A_prefixed_checkpoint_loads_and_foreign_keys_are_ignored()
    {
        using var scope = NewDisposeScope();
        var source = Trained(33);
        var entries = source.state_dict().ToDictionary(kv => "visual_tokenizer.encoder." + kv.Key, kv => kv.Value);
        entries["visual_tokenizer.proj.weight"] = zeros(4, 4);
        string path = Path.Combine(folder, "full.safetensors");
        Safetensors.SaveStateDict(path, entries);

        var target = TinyVision.Build(34);
        target.LoadFromSafetensors(path, prefix: "visual_tokenizer.encoder.");
        var expected = source.state_dict();
        foreach (var (key, t) in target.state_dict()) Assert.True(Same(t, expected[key]), key);
    }

    [Fact]
    public void Mismatches_are_reported_with_the_file_and_the_keys()
    {
        using var scope = NewDisposeScope();
        var entries = TinyVision.Build(35).state_dict();
        entries.Remove("vision_model.adapter_up.bias");
        entries["vision_model.post_layernorm.weight"] = ones(TinyVision.Width);
        entries["vision_model.pre_layrnorm.weight"] = ones(7);
        string path = Path.Combine(folder, "broken.safetensors");
        Safetensors.SaveStateDict(path, entries);

        var target = TinyVision.Build(36);
        var before = target.state_dict()["vision_model.embeddings.class_embedding"].clone();
        var error = Assert.Throws<InvalidDataException>(() => target.LoadFromSafetensors(path));
        Assert.Contains("broken.safetensors", error.Message);
        Assert.Contains("missing keys (1): vision_model.adapter_up.bias", error.Message);
        Assert.Contains("unexpected keys (1): vision_model.post_layernorm.weight", error.Message);
        Assert.Contains("vision_model.pre_layrnorm.weight is [7] in the file but [32] in the model", error.Message);
        // Nothing was copied.
        Assert.True(Same(target.state_dict()["vision_model.embeddings.class_embedding"], before));
    }
}
