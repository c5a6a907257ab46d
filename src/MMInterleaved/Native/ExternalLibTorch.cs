using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace MMInterleaved.Native;

/// <summary>
/// Bring your own libtorch: <c>MMI_LIBTORCH</c> names a libtorch lib folder, usually a PyTorch install's <c>torch/lib</c>
/// (with CUDA, when that PyTorch has it). <see cref="TorchNative"/> loads it before TorchSharp's bridge, so the bridge's
/// <c>libtorch.so</c>, <c>libtorch_cpu.so</c> and <c>libc10.so</c> resolve to these files by their sonames instead of the
/// bundled CPU ones beside the bridge. The folder is checked first (the files, then every libtorch symbol the bridge calls,
/// <see cref="LibTorchSymbols"/>), and after loading it is checked that the bridge really bound to it; each failure is one
/// line that names the folder and what was expected.
/// </summary>
public static partial class ExternalLibTorch
{
    /// <summary>The environment variable that names the folder.</summary>
    public const string EnvironmentVariable = "MMI_LIBTORCH";

    /// <summary>Set to 1, a symbol mismatch is a warning on standard error instead of a refusal: the load goes on, and a
    /// call of a missing function ends the process when it happens (for a libtorch that lacks only what you never call).</summary>
    public const string UncheckedVariable = "MMI_LIBTORCH_UNCHECKED";

    /// <summary>The libtorch the bridge of TorchSharp 0.107 was built against (its major.minor).</summary>
    public const string BridgeLibTorchVersion = "2.10";

    // c10 first, then the CPU and (when present) CUDA parts, libtorch.so last: each file's own NEEDED entries are then
    // already loaded, and its RUNPATH ($ORIGIN in PyTorch's wheels) finds the CUDA runtime libraries PyTorch ships.
    private static readonly string[] LoadOrder = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];
    private static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>The folder named by <see cref="EnvironmentVariable"/>, or null when it is unset or empty.</summary>
    public static string? Folder =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder ? Path.GetFullPath(folder) : null;

    /// <summary>The libtorch files of <paramref name="folder"/> in load order, after checking that the folder holds a
    /// libtorch that provides every symbol <paramref name="bridgePath"/> needs; throws a one-line
    /// <see cref="InvalidOperationException"/> otherwise.</summary>
    public static IReadOnlyList<string> Check(string folder, string bridgePath)
    {
        string where = $"{EnvironmentVariable}={folder}";
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"{where} is not a folder: set it to a libtorch lib folder (a PyTorch install's " +
                "torch/lib, e.g. `python -c \"import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\"`) or unset it to use the bundled CPU libtorch.");
        var absent = Required.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (absent.Count > 0)
            throw new InvalidOperationException($"{where} has no {string.Join(", ", absent)}: expected libtorch's lib folder " +
                $"({string.Join(", ", Required)}; a PyTorch install's torch/lib).");
        var files = LoadOrder.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToList();
        var required = LibTorchSymbols.RequiredBy(bridgePath);
        var missing = LibTorchSymbols.Missing(bridgePath, files);
        if (missing.Count == 0) return files;
        string mismatch = $"{where} holds libtorch {VersionOf(folder) ?? "(version unknown)"}, which does not match " +
                $"TorchSharp's bridge (built for libtorch {BridgeLibTorchVersion}): {missing.Count} of the {required.Count} libtorch " +
                $"symbols it calls are missing there (first: {missing[0]}). Point it at a PyTorch {BridgeLibTorchVersion}.x install's torch/lib " +
                $"or unset it to use the bundled CPU libtorch ({UncheckedVariable}=1 loads it anyway).";
        if (Environment.GetEnvironmentVariable(UncheckedVariable) != "1") throw new InvalidOperationException(mismatch);
        Console.Error.WriteLine($"warning: {mismatch}");
        return files;
    }

    /// <summary>Loads the checked files (from <see cref="Check"/>) by absolute path, in order.</summary>
    public static void Load(IReadOnlyList<string> files)
    {
        // dlopen itself rather than NativeLibrary.Load, whose message leaves out dlerror's reason (which dependency is missing:
        // usually a CUDA runtime library of the PyTorch install that its RUNPATH does not reach)
        DlError(); // binds the import now (binding it after a failed dlopen would clear the error) and clears stale errors
        foreach (string file in files)
            if (DlOpen(file, RtldLazy) == IntPtr.Zero)
                throw new InvalidOperationException($"{EnvironmentVariable}: {file} did not load: {Marshal.PtrToStringUTF8(DlError()) ?? "no reason given"}.");
    }

    private const int RtldLazy = 1; // as NativeLibrary.Load opens libraries

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string file, int flags);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial IntPtr DlError();

    /// <summary>Throws when the loaded libtorch_cpu.so is not the one in <paramref name="folder"/> (the bridge bound to another
    /// copy, e.g. because this one's soname differs).</summary>
    public static void VerifyBound(string folder)
    {
        string expected = RealPath(Path.Combine(folder, "libtorch_cpu.so"));
        var loaded = TorchNative.MappedLibraries("libtorch_cpu.so");
        if (loaded.Count != 1 || loaded[0] != expected)
            throw new InvalidOperationException($"{EnvironmentVariable}={folder}: the bridge bound to " +
                $"{(loaded.Count == 0 ? "no libtorch_cpu.so" : string.Join(" and ", loaded))}, not to {expected}; " +
                "is that libtorch's soname libtorch_cpu.so?");
    }

    /// <summary>The PyTorch version of a <c>torch/lib</c> folder (from <c>torch/version.py</c>) or of a libtorch download
    /// (its <c>build-version</c> file), or null when neither is there.</summary>
    public static string? VersionOf(string folder)
    {
        string parent = Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)) ?? folder;
        string versionPy = Path.Combine(parent, "version.py");
        if (File.Exists(versionPy) && VersionLine().Match(File.ReadAllText(versionPy)) is { Success: true } m) return m.Groups[1].Value;
        string buildVersion = Path.Combine(parent, "build-version");
        return File.Exists(buildVersion) ? File.ReadAllText(buildVersion).Trim() : null;
    }

    [GeneratedRegex(@"^__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    private static string RealPath(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
