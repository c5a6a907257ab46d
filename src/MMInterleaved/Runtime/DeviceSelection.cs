using TorchSharp;

namespace MMInterleaved.Runtime;

/// <summary>
/// Picks the compute device from an explicit setting, else the MMI_DEVICE environment variable, else
/// automatically (CUDA when a CUDA libtorch and a GPU are present, otherwise CPU). Code takes the result as a
/// parameter; nothing in the library assumes CPU.
/// </summary>
public static class DeviceSelection
{
    /// <summary>Name of the environment variable read by <see cref="Resolve"/>.</summary>
    public const string EnvironmentVariable = "MMI_DEVICE";

    /// <summary>Resolves "auto", "cpu", "cuda" or "cuda:N" (null or empty: the environment, then "auto").</summary>
    public static torch.Device Resolve(string? spec = null)
    {
        Native.TorchNative.EnsureLoaded(throwOnMissing: false);
        string source = spec is { Length: > 0 } ? "the device setting" : EnvironmentVariable;
        spec = spec is { Length: > 0 } ? spec : Environment.GetEnvironmentVariable(EnvironmentVariable);
        string s = (spec ?? "auto").Trim().ToLowerInvariant();
        if (s is "" or "auto") return CudaAvailable ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (s == "cpu") return torch.CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && (!int.TryParse(s.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"{source} is '{spec}': expected cuda:N with N a GPU index (0, 1, ...).");
            if (!CudaAvailable)
                throw new InvalidOperationException(
                    $"{source} asks for '{spec}', but no CUDA device is available (this build of libtorch is CPU-only " +
                    "or no GPU is visible). Use 'cpu' or 'auto'.");
            if (index >= torch.cuda.device_count())
                throw new ArgumentException($"{source} is '{spec}', but only {torch.cuda.device_count()} CUDA device(s) exist.");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"{source} is '{spec}': expected one of auto, cpu, cuda, cuda:N.");
    }

    /// <summary>Whether TorchSharp sees a usable CUDA device.</summary>
    public static bool CudaAvailable
    {
        get
        {
            try { return torch.cuda.is_available(); }
            catch (Exception) { return false; } // a CPU-only libtorch may throw instead of answering false
        }
    }

    /// <summary>Every device this process can compute on: CPU, then each CUDA device.</summary>
    public static IReadOnlyList<torch.Device> Available()
    {
        Native.TorchNative.EnsureLoaded(throwOnMissing: false);
        var devices = new List<torch.Device> { torch.CPU };
        if (CudaAvailable)
            for (int i = 0; i < torch.cuda.device_count(); i++) devices.Add(new torch.Device(DeviceType.CUDA, i));
        return devices;
    }
}
