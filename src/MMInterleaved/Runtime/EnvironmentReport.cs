using System.Runtime.InteropServices;
using MMInterleaved.Native;
using TorchSharp;

namespace MMInterleaved.Runtime;

/// <summary>What this process runs on: versions, device, threads, optional data. Shown by `mmi info` and
/// notebooks/00-setup.ipynb.</summary>
public sealed record EnvironmentReport(
    string TorchSharpVersion,
    string LibTorchVersion,
    string DotNetVersion,
    string OperatingSystem,
    string Device,
    bool CudaAvailable,
    int Threads,
    bool QuickMode,
    string? NativeBridge,
    string? LibTorchLibrary,
    string? ExternalLibTorchFolder,
    string? FashionMnist,
    string? Font)
{
    /// <summary>Collects the report (loads TorchSharp).</summary>
    public static EnvironmentReport Collect(string? device = null, string? repositoryRoot = null)
    {
        TorchNative.EnsureLoaded(throwOnMissing: false);
        return new EnvironmentReport(
            TorchNative.TorchSharpVersion,
            TorchNative.LibTorchVersion,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            DeviceSelection.Resolve(device).ToString(),
            DeviceSelection.CudaAvailable,
            torch.get_num_threads(),
            RunMode.Quick,
            TorchNative.LoadedFrom,
            TorchNative.LibTorchLibrary,
            TorchNative.ExternalFolder,
            OptionalData.FindFashionMnist(repositoryRoot),
            OptionalData.FindFont());
    }

    /// <summary>Label/value rows in display order; missing optional data says how to get it.</summary>
    public IReadOnlyList<(string Label, string Value)> Rows() =>
    [
        ("TorchSharp", TorchSharpVersion),
        ("libtorch", ExternalLibTorchFolder is null ? $"{LibTorchVersion} (bundled, CPU)" : $"{ExternalLibTorch.VersionOf(ExternalLibTorchFolder) ?? "version unknown"} (from {ExternalLibTorch.EnvironmentVariable}; TorchSharp's bridge was built for {LibTorchVersion})"),
        ("libtorch library", LibTorchLibrary ?? "(not loaded)"),
        (".NET", DotNetVersion),
        ("OS", OperatingSystem),
        ("device", Device),
        ("CUDA available", CudaAvailable ? "yes" : "no"),
        ("threads", Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("quick mode (MMI_QUICK)", QuickMode ? "on" : "off"),
        ("native bridge", NativeBridge ?? "(loaded by TorchSharp's own probing)"),
        ("oneDNN and NNPACK CPU kernels", CpuConvolutionBackends.MkldnnEnabled switch { true => "on (MMI_MKLDNN=1)", false => "off (oneDNN's conv2d backward gave non-finite gradients here; MMI_MKLDNN=1 keeps them on)", null => "libtorch's default" }),
        ("Fashion-MNIST (optional)", FashionMnist ?? "missing: " + OptionalData.FashionMnistHint),
        ("font (optional)", Font ?? "missing: `apt-get install fonts-dejavu-core` (built-in data draws glyphs from shapes and needs no font)"),
    ];
}
