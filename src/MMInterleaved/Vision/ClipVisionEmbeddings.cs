using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// CLIP's patch embedding (HF <c>CLIPVisionEmbeddings</c> names): a strided convolution without bias, a learned CLS
/// vector prepended, and a learned absolute position embedding added. <c>position_ids</c> is a persistent int64
/// buffer, as in the reference's vendored class (its checkpoints carry the key).
/// </summary>
public sealed class ClipVisionEmbeddings : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "class_embedding")] private readonly Parameter classEmbedding;
    [ComponentName(Name = "patch_embedding")] private readonly Conv2d patchEmbedding;
    [ComponentName(Name = "conv_stem")] private readonly ConvStem? convStem;
    [ComponentName(Name = "position_embedding")] private readonly Embedding positionEmbedding;
    [ComponentName(Name = "position_ids")] private readonly Tensor positionIds;

    private readonly VisionEncoderConfig config;

    /// <summary>Builds the embeddings with the initialisation the reference's vendored class gets (PyTorch defaults:
    /// CLS ~ N(0,1), convolution Kaiming-uniform, position embedding ~ N(0,1); HF's CLIP init does not match the class).</summary>
    public ClipVisionEmbeddings(VisionEncoderConfig config, string name = "embeddings") : base(name)
    {
        this.config = config.Validated();
        int w = config.HiddenSize, positions = config.NumPatches + 1;
        classEmbedding = nn.Parameter(randn(w));
        if (config.ConvStemWidths is { } widths)
        {
            convStem = new ConvStem(config.NumChannels, widths);
            patchEmbedding = nn.Conv2d(widths[^1], w, 1, bias: false); // the stem reaches the patch grid; 1×1 to the token width
        }
        else
        {
            patchEmbedding = nn.Conv2d(config.NumChannels, w, config.PatchSize, stride: config.PatchSize, bias: false);
        }
        positionEmbedding = nn.Embedding(positions, w);
        positionIds = arange(positions, dtype: int64).unsqueeze(0);
        RegisterComponents();
    }

    /// <summary>pixelValues [B, C, ImageSize, ImageSize] → [B, 1+G², W].</summary>
    public override Tensor forward(Tensor pixelValues)
    {
        long b = pixelValues.shape[0];
        Tensor stem = convStem is null ? pixelValues : convStem.forward(pixelValues);
        Tensor patches = patchEmbedding.forward(stem).flatten(2).transpose(1, 2); // [B,G²,W]
        Tensor cls = classEmbedding.to(patches.dtype).expand(b, 1, config.HiddenSize);
        // Module.to(dtype) may convert buffers; the ids are indices, so keep them int64.
        Tensor positions = positionEmbedding.forward(positionIds.to(int64)); // [1,1+G²,W]
        return cat([cls, patches], 1) + positions;
    }
}
