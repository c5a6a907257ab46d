using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// What the decoder's cross-attention layers may read, per batch row: the images' multi-scale feature maps
/// (<paramref name="Features"/> [B,I,S,Dv], levels flattened row-major and concatenated per image; zero for empty slots)
/// with their <paramref name="SpatialShapes"/> (I·Lv rows of (H,W)) and <paramref name="LevelStartIndex"/> (I·Lv), kept on the
/// host as plain integers so that no layer reads geometry back from a GPU, or, for the
/// Flamingo-style ablation, the resampler's tokens (<paramref name="Features"/> [B,I,K,Dv], one level K×1); and the
/// visibility <paramref name="Mask"/> [B,L,I] (1 = token may use image slot; with fewer query tokens than rows, as in
/// incremental decoding, the last row applies).
/// </summary>
public sealed record VisualMemory(Tensor Features, (long H, long W)[] SpatialShapes, long[] LevelStartIndex, Tensor Mask);
