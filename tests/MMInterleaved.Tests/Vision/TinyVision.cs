using MMInterleaved.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Vision;

/// <summary>A tiny CLIP + ViT-Adapter (32 px, patch 4 → grid 8, width 32, 4 layers of one stage each) for fast tests.</summary>
internal static class TinyVision
{
    public const int Grid = 8, Width = 32;

    public static VisionEncoderConfig Config { get; } = new(ImageSize: 32, PatchSize: 4, HiddenSize: Width, NumLayers: 4, NumHeads: 2, IntermediateSize: 64);

    public static AdapterConfig Adapter { get; } = new(ConvInplanes: 8, DeformHeads: 2) { InteractionIndexes = [[0, 0], [1, 1], [2, 2], [3, 3]] };

    public static ClipVisionAdapterModel Build(long seed, AdapterConfig? adapter = null)
    {
        manual_seed(seed);
        return new ClipVisionAdapterModel(Config, adapter ?? Adapter);
    }

    /// <summary>Adds noise to every parameter whose name passes <paramref name="select"/>, so that zero-initialised
    /// parts (offset weights, attention logits, level embeddings) take part in the computation.</summary>
    public static void Perturb(nn.Module module, double scale, Func<string, bool> select, long seed = 99)
    {
        var g = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in module.named_parameters())
            if (select(name)) p.add_(randn(p.shape, generator: g, dtype: p.dtype) * scale);
    }

    public static Tensor Images(long batch, long seed, ScalarType dtype = ScalarType.Float32) =>
        randn([batch, 3, Config.ImageSize, Config.ImageSize], generator: new Generator((ulong)seed), dtype: dtype);
}
