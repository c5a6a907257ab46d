using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>What may change the skip features and the mid-block output after the mid block, before the up path (the
/// place MM-Interleaved's patched UNet calls MMFSNet): returns the new mid output and the new skips, in order.</summary>
public delegate (Tensor Mid, IReadOnlyList<Tensor> Skips) UNetSkipHook(Tensor mid, IReadOnlyList<Tensor> skips);
