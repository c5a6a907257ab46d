using System.Runtime.InteropServices;

namespace MMInterleaved.Native;

/// <summary>
/// Turns libtorch's oneDNN (mkldnn) CPU kernels off when the library loads, as PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c> does. Why: measured on this machine kind (libtorch 2.10, AMD EPYC),
/// oneDNN's conv2d backward returns a non-finite input gradient now and then (7 of 80 small 3×3 convolutions, at random,
/// seemingly from uninitialised memory); with oneDNN off, 0 of 80, and convolutions run libtorch's own kernels.
/// TorchSharp exposes no switch, so this calls libtorch's exported <c>at::globalContext()</c> and
/// <c>at::Context::setUserEnabledMkldnn(bool)</c>. Set <c>MMI_MKLDNN=1</c> to keep oneDNN on.
/// </summary>
public static unsafe class MkldnnSwitch
{
    /// <summary>Environment variable that keeps oneDNN on when set to 1.</summary>
    public const string EnvironmentVariable = "MMI_MKLDNN";

    /// <summary>Whether oneDNN is enabled in libtorch, or null when the libtorch in use does not export the switch.</summary>
    public static bool? Enabled { get; private set; }

    /// <summary>Applies the setting (off unless <see cref="EnvironmentVariable"/> is 1) to the libtorch in
    /// <paramref name="nativeFolder"/>; does nothing when its symbols are missing.</summary>
    internal static void Apply(string nativeFolder)
    {
        string library = Path.Combine(nativeFolder, "libtorch_cpu.so");
        if (!File.Exists(library) || !NativeLibrary.TryLoad(library, out var handle)) return;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var context) ||
            !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledMkldnnEb", out var set) ||
            !NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledMkldnnEv", out var get)) return;
        bool keep = Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";
        var globalContext = (delegate* unmanaged<IntPtr>)context;
        IntPtr self = globalContext();
        ((delegate* unmanaged<IntPtr, byte, void>)set)(self, keep ? (byte)1 : (byte)0);
        Enabled = ((delegate* unmanaged<IntPtr, byte>)get)(self) != 0;
    }
}
