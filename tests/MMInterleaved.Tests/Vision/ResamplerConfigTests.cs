using System.Text.Json;
using MMInterleaved.Vision;
using Xunit;

namespace MMInterleaved.Tests.Vision;

/// <summary>Resampler configuration: defaults, presets, JSON round trip and validation messages (one test builds a
/// module, hence the torch collection).</summary>
[Collection(TorchCollection.Name)]
public class ResamplerConfigTests
{
    [Fact]
    public void Defaults_are_the_visual_tokenizer_instance_and_the_decoder_preset_matches_the_spec()
    {
        var v = new ResamplerConfig();
        Assert.Equal(ResamplerConfig.VisualTokenizer, v);
        Assert.Equal((64, 768, 1024, 12, 12, 3072, 2, true), (v.NumQueries, v.HiddenSize, v.EncoderHiddenSize, v.NumLayers, v.NumHeads, v.IntermediateSize, v.CrossAttentionFrequency, v.QkNormalization));
        Assert.Equal((0.1, 0.1, 1e-12, 0.02, 0.02), (v.HiddenDropout, v.AttentionDropout, v.LayerNormEps, v.QueryInitStd, v.InitializerRange));
        Assert.Equal(64, v.HeadDim);
        Assert.Equal([0, 2, 4, 6, 8, 10], Enumerable.Range(0, 12).Where(v.HasCrossAttention));

        var d = ResamplerConfig.ImageDecoder;
        Assert.Equal((77, 1024, 5120, 1, 16, 3072, 1, false), (d.NumQueries, d.HiddenSize, d.EncoderHiddenSize, d.NumLayers, d.NumHeads, d.IntermediateSize, d.CrossAttentionFrequency, d.QkNormalization));
        Assert.Equal((0.0, 0.0), (d.HiddenDropout, d.AttentionDropout));
    }

    [Fact]
    public void WithGainOf_keeps_the_reference_and_scales_the_init_std_by_the_fourth_root_of_the_width_ratio()
    {
        var d = ResamplerConfig.ImageDecoder;
        Assert.Equal(d, d.WithGainOf(d));
        var tiny = new ResamplerConfig(HiddenSize: 64, EncoderHiddenSize: 64, NumHeads: 4).WithGainOf(d);
        Assert.Equal(0.02 * Math.Pow(5120.0 * 1024 / (64 * 64), 0.25), tiny.InitializerRange, 12);
        // the gain r²·√(E·H) is the reference's
        Assert.Equal(0.02 * 0.02 * Math.Sqrt(5120.0 * 1024), tiny.InitializerRange * tiny.InitializerRange * 64, 12);
        Assert.Equal(tiny with { InitializerRange = 0.02 }, new ResamplerConfig(HiddenSize: 64, EncoderHiddenSize: 64, NumHeads: 4));
    }

    [Fact]
    public void Round_trips_through_system_text_json()
    {
        foreach (var config in new[] { ResamplerConfig.VisualTokenizer, ResamplerConfig.ImageDecoder, Blip2QFormerTests.Tiny })
        {
            string json = JsonSerializer.Serialize(config);
            Assert.DoesNotContain("HeadDim", json);
            Assert.Equal(config, JsonSerializer.Deserialize<ResamplerConfig>(json));
        }
    }

    public static TheoryData<string, ResamplerConfig> Invalid => new()
    {
        { "NumQueries", new ResamplerConfig(NumQueries: 0) },
        { "HiddenSize", new ResamplerConfig(HiddenSize: -1) },
        { "HiddenSize", new ResamplerConfig(HiddenSize: 100) },           // not divisible by 12 heads
        { "EncoderHiddenSize", new ResamplerConfig(EncoderHiddenSize: 0) },
        { "NumLayers", new ResamplerConfig(NumLayers: 0) },
        { "NumHeads", new ResamplerConfig(NumHeads: 0) },
        { "IntermediateSize", new ResamplerConfig(IntermediateSize: 0) },
        { "CrossAttentionFrequency", new ResamplerConfig(CrossAttentionFrequency: 0) },
        { "HiddenDropout", new ResamplerConfig(HiddenDropout: 1.0) },
        { "AttentionDropout", new ResamplerConfig(AttentionDropout: -0.1) },
        { "AttentionDropout", new ResamplerConfig(AttentionDropout: double.NaN) },
        { "LayerNormEps", new ResamplerConfig(LayerNormEps: 0) },
        { "QueryInitStd", new ResamplerConfig(QueryInitStd: -1) },
        { "InitializerRange", new ResamplerConfig(InitializerRange: -0.02) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validation_errors_name_the_field(string field, ResamplerConfig config)
    {
        var error = Assert.Throws<ArgumentException>(() => config.Validated());
        Assert.StartsWith("ResamplerConfig: " + field + " is ", error.Message);
    }

    [Fact]
    public void Modules_validate_their_config()
    {
        var error = Assert.Throws<ArgumentException>(() => new PerceiverResampler(new ResamplerConfig(NumHeads: 5)));
        Assert.Contains("NumHeads (5)", error.Message);
    }
}
