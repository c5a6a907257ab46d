using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>What <see cref="ClipVisionAdapterModel"/> returns for a batch of B images (G = grid side, W = width).</summary>
/// <param name="LastHiddenState">[B, 1+G², W]: the CLS token and the ViT patch tokens after the last stage (no final LayerNorm).</param>
/// <param name="MultiScaleFeatures">[c1, c2, c3, c4], each [B, W, h, w] with sides 4G, 2G, G, G/2
/// (strides 4, 8, 16, 32 relative to the SPM input of side 16G).</param>
public sealed record VisionEncoderOutput(Tensor LastHiddenState, Tensor[] MultiScaleFeatures);
