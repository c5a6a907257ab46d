using System.Text.Json;
using MMInterleaved.Vision;
using Xunit;

namespace MMInterleaved.Tests.Vision;

[Collection(TorchCollection.Name)]
public class VisionConfigTests
{
    private static readonly VisionEncoderConfig Tiny = TinyVision.Config;

    [Theory]
    [InlineData("ImageSize", 30, "ImageSize is 30")]
    [InlineData("PatchSize", 0, "PatchSize is 0")]
    [InlineData("NumHeads", 3, "HiddenSize is 32; it must be divisible by NumHeads (3)")]
    [InlineData("NumLayers", -1, "NumLayers is -1")]
    [InlineData("IntermediateSize", 0, "IntermediateSize is 0")]
    public void Vision_config_errors_name_the_field_and_value(string field, int value, string expected)
    {
        var config = field switch
        {
            "ImageSize" => Tiny with { ImageSize = value },
            "PatchSize" => Tiny with { PatchSize = value },
            "NumHeads" => Tiny with { NumHeads = value },
            "NumLayers" => Tiny with { NumLayers = value },
            _ => Tiny with { IntermediateSize = value },
        };
        var error = Assert.Throws<ArgumentException>(() => config.Validated());
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("VisionEncoderConfig:", error.Message);
    }

    [Fact]
    public void Unknown_activation_lists_the_allowed_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => (Tiny with { HiddenAct = "relu" }).Validated());
        Assert.Contains("HiddenAct is \"relu\"", error.Message);
        Assert.Contains("\"quick_gelu\", \"gelu\"", error.Message);
        Assert.Equal(8, (Tiny with { HiddenAct = "gelu" }).Validated().GridSide);
    }

    [Fact]
    public void Adapter_config_errors_name_the_field_and_value()
    {
        var adapter = TinyVision.Adapter;
        void Fails(AdapterConfig a, string expected, VisionEncoderConfig? vision = null)
        {
            var error = Assert.Throws<ArgumentException>(() => a.Validated(vision ?? Tiny));
            Assert.Contains(expected, error.Message);
        }
        Fails(adapter with { DeformHeads = 3 }, "DeformHeads is 3");
        Fails(adapter with { ConvInplanes = 0 }, "ConvInplanes is 0");
        Fails(adapter with { SpmInputSize = 100 }, "SpmInputSize is 100; it must be null or GridSide·16 = 128");
        Fails(adapter with { CffnRatio = 0.01 }, "CffnRatio is 0.01");
        Fails(adapter with { NormEps = 0 }, "NormEps is 0");
        Fails(adapter with { InteractionIndexes = [[0, 0], [1, 1], [2, 3]] }, "InteractionIndexes is [[0, 0], [1, 1], [2, 3]]");
        Fails(adapter with { InteractionIndexes = [[0, 0], [2, 2], [3, 3], [4, 4]] }, "entry 1 must start at layer 1");
        Fails(adapter with { InteractionIndexes = [[0, 0], [1, 1], [2, 2], [3, 2]] }, "entry 3 must start at layer 3 and end at or after it");
        Fails(adapter, "it ends at layer 3", Tiny with { NumLayers = 5 });
        Fails(adapter, "ImageSize/PatchSize = 36/4 = 9) is odd", Tiny with { ImageSize = 36 });
        // The default stages are the reference's and fit ViT-L's 24 layers only.
        Assert.Equal([[0, 5], [6, 11], [12, 17], [18, 23]], new AdapterConfig().InteractionIndexes);
        Assert.Equal(256, new AdapterConfig().Validated(new VisionEncoderConfig()).ResolvedSpmInputSize(new VisionEncoderConfig()));
        Fails(new AdapterConfig(), "InteractionIndexes is [[0, 5], [6, 11], [12, 17], [18, 23]]", Tiny);
    }

    [Fact]
    public void Model_construction_validates()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClipVisionAdapterModel(Tiny, TinyVision.Adapter with { DeformPoints = 0 }));
        Assert.Contains("DeformPoints is 0", error.Message);
    }

    [Fact]
    public void Configs_round_trip_through_json()
    {
        var vision = Tiny with { HiddenAct = "gelu" };
        var adapter = TinyVision.Adapter with { SpmInputSize = 128, InitValues = 1e-6 };
        string visionJson = JsonSerializer.Serialize(vision), adapterJson = JsonSerializer.Serialize(adapter);
        Assert.DoesNotContain("GridSide", visionJson);
        Assert.Equal(vision, JsonSerializer.Deserialize<VisionEncoderConfig>(visionJson));
        var back = JsonSerializer.Deserialize<AdapterConfig>(adapterJson)!;
        Assert.Equal(adapterJson, JsonSerializer.Serialize(back));
        Assert.Equal([[0, 0], [1, 1], [2, 2], [3, 3]], back.InteractionIndexes);
        // Missing fields take the defaults.
        Assert.Equal(new VisionEncoderConfig(), JsonSerializer.Deserialize<VisionEncoderConfig>("{}"));
        Assert.Equal(64, JsonSerializer.Deserialize<AdapterConfig>("{}")!.ConvInplanes);
    }
}
