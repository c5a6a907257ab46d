using System.Runtime.InteropServices;

namespace MMInterleaved.Native;

/// <summary>
/// Turns libtorch's oneDNN (mkldnn) and NNPACK CPU kernels off when the library loads, as PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c> and <c>torch.backends.nnpack.set_flags(False)</c> do; convolutions then run
/// libtorch's own kernels. Why oneDNN: measured on this machine kind (libtorch 2.10, AMD EPYC), its conv2d backward
/// returned a non-finite input gradient now and then (7 of 80 small 3×3 convolutions, at random, seemingly from
/// uninitialised memory); with it off, 0 of 80. Why NNPACK: with oneDNN off, every convolution asked NNPACK, which cannot
/// start on this hardware and printed "Could not initialize NNPACK! Reason: Unsupported hardware" each time.
/// TorchSharp exposes neither switch, so this calls libtorch's exported <c>at::globalContext()</c> and
/// <c>at::Context::setUserEnabledMkldnn/NNPACK(bool)</c>. <c>MMI_MKLDNN=1</c> keeps both on (libtorch's defaults).
/// </summary>
public static unsafe class CpuConvolutionBackends
{
    /// <summary>Environment variable that keeps oneDNN and NNPACK on when set to 1.</summary>
    public const string EnvironmentVariable = "MMI_MKLDNN";

    /// <summary>Whether oneDNN is enabled in libtorch, or null when the libtorch in use does not export the switch.</summary>
    public static bool? MkldnnEnabled { get; private set; }

    /// <summary>Applies the setting (off unless <see cref="EnvironmentVariable"/> is 1) to the libtorch in
    /// <paramref name="nativeFolder"/>; does nothing when its symbols are missing.</summary>
    internal static void Apply(string nativeFolder)
    {
        string library = Path.Combine(nativeFolder, "libtorch_cpu.so");
        if (!File.Exists(library) || !NativeLibrary.TryLoad(library, out var handle)) return;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var context) ||
            !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setMkldnn) ||
            !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack) ||
            !NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledMkldnnEv", out var getMkldnn)) return;
        byte keep = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1" ? (byte)1 : (byte)0;
        IntPtr self = ((delegate* unmanaged<IntPtr>)context)();
        ((delegate* unmanaged<IntPtr, byte, void>)setMkldnn)(self, keep);
        ((delegate* unmanaged<IntPtr, byte, void>)setNnpack)(self, keep);
        MkldnnEnabled = ((delegate* unmanaged<IntPtr, byte>)getMkldnn)(self) != 0;
    }
}
