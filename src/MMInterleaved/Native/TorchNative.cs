using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace MMInterleaved.Native;

/// <summary>
/// Loads TorchSharp's native bridge from this library's own folder, by absolute path, before TorchSharp
/// probes for it by name. Inside a notebook kernel there is no deps.json, so a by-name probe can find a
/// distro libtorch first and fail with an undefined symbol (design/platform-notes.md, "Blocker 2").
/// Once libLibTorchSharp.so is loaded by path, its RUNPATH ($ORIGIN) pulls the matching libtorch from the same
/// folder, and later by-name loads resolve to the already-loaded library through its SONAME. With MMI_LIBTORCH set, the
/// libtorch of that folder is checked and loaded first (<see cref="ExternalLibTorch"/>), and the bridge binds to it instead.
/// A failure there throws from the module initializer too: nothing falls back silently to the bundled CPU libtorch.
/// </summary>
public static class TorchNative
{
    private static readonly object Gate = new();
    private static string? loadedFrom;
    private static string? externalFolder;
    private static string? loadError;

    /// <summary>Absolute path the bridge was loaded from, or null when not loaded by this class.</summary>
    public static string? LoadedFrom => loadedFrom;

#pragma warning disable CA2255 // A library module initializer is the point: it must run before TorchSharp's first call.
    [ModuleInitializer]
    internal static void OnModuleLoad() => EnsureLoaded(throwOnMissing: false); // throws only for a bad MMI_LIBTORCH
#pragma warning restore CA2255

    /// <summary>Pre-loads the native bridge (idempotent). Call it before the first TorchSharp call when
    /// TorchSharp is used without touching any other type of this library.</summary>
    public static void EnsureLoaded(bool throwOnMissing = true)
    {
        if (!OperatingSystem.IsLinux()) return; // the fix is Linux-specific; elsewhere TorchSharp's probing is fine
        lock (Gate)
        {
            if (loadError is not null) throw new InvalidOperationException(loadError);
            if (loadedFrom is not null) return;
            string? path = FindBridge();
            if (path is null)
            {
                if (throwOnMissing)
                    throw new FileNotFoundException(
                        "libLibTorchSharp.so was not found beside MMInterleaved.dll (looked in " +
                        string.Join(", ", CandidateFolders()) + "). Build the project with `dotnet build` so the " +
                        "TorchSharp natives are copied next to the library.");
                return;
            }
            string? external = ExternalLibTorch.Folder;
            try
            {
                if (external is not null) ExternalLibTorch.Load(ExternalLibTorch.Check(external, path));
                NativeLibrary.Load(path);
                if (external is not null) ExternalLibTorch.VerifyBound(external);
            }
            catch (InvalidOperationException e)
            {
                // remembered, so that every later call refuses too instead of letting TorchSharp probe a libtorch by name
                loadError = e.Message;
                throw;
            }
            loadedFrom = path;
            externalFolder = external;
            CpuConvolutionBackends.Apply(external ?? Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>The <see cref="ExternalLibTorch"/> folder in use (from MMI_LIBTORCH), or null for the bundled libtorch.</summary>
    public static string? ExternalFolder => externalFolder;

    /// <summary>The libtorch_cpu.so this process has mapped (the libtorch in use), or null before it is loaded.</summary>
    public static string? LibTorchLibrary => MappedLibraries("libtorch_cpu.so") is [var only] ? only : null;

    /// <summary>Absolute paths of the mapped files named <paramref name="fileName"/> (from /proc/self/maps; symlinks resolved).</summary>
    public static IReadOnlyList<string> MappedLibraries(string fileName) =>
        File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length == 6 && p[5].StartsWith('/') && Path.GetFileName(p[5]) == fileName)
                .Select(p => p[5]).Distinct().ToList()
            : [];

    /// <summary>The folders searched for libLibTorchSharp.so, most specific first.</summary>
    public static IEnumerable<string> CandidateFolders()
    {
        string baseDir = Path.GetDirectoryName(typeof(TorchNative).Assembly.Location) ?? AppContext.BaseDirectory;
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        yield return Path.Combine(baseDir, "runtimes", rid, "native");
        yield return baseDir;
    }

    private static string? FindBridge() =>
        CandidateFolders().Select(d => Path.Combine(d, "libLibTorchSharp.so")).FirstOrDefault(File.Exists);

    /// <summary>TorchSharp's own version (assembly informational version).</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The libtorch version TorchSharp was built against (e.g. 2.10.0).</summary>
    public static string LibTorchVersion => torch.__version__;
}
