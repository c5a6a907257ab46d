using System.Diagnostics;
using MMInterleaved.Native;
using Xunit;

namespace MMInterleaved.Tests.Native;

/// <summary>MMI_LIBTORCH (bring your own libtorch): the folder checks, the symbol check against the bridge, and `mmi info`
/// in a fresh process with the variable set (the loader runs once per process, in the library's module initializer).
/// Without a second libtorch here, a "PyTorch install" is a folder of links to the bundled files, and a mismatched one
/// links every name to libc10.so.</summary>
[Collection(TorchCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExternalLibTorchTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mmi-byo-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static string Bridge
    {
        get { TorchNative.EnsureLoaded(); return TorchNative.LoadedFrom!; }
    }

    private static string Bundled(string file) => Path.Combine(Path.GetDirectoryName(Bridge)!, file);

    /// <summary>A torch/lib folder of links to every bundled native library (libgomp too: libtorch_cpu.so needs it), with
    /// libc10.so, libtorch_cpu.so and libtorch.so linked to <paramref name="target"/> instead when given, beside a
    /// torch/version.py.</summary>
    private string FakeTorchLib(string name, string version, Func<string, string>? target = null)
    {
        string lib = Directory.CreateDirectory(Path.Combine(root, name, "torch", "lib")).FullName;
        string[] torch = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(Bridge)!).Select(f => Path.GetFileName(f)).Where(f => f != "libLibTorchSharp.so"))
            File.CreateSymbolicLink(Path.Combine(lib, file), target is not null && torch.Contains(file) ? target(file) : Bundled(file));
        File.WriteAllText(Path.Combine(lib, "..", "version.py"), $"__version__ = '{version}'\ngit_version = 'x'\n");
        return lib;
    }

    [Fact]
    public void The_bundled_libtorch_defines_every_libtorch_symbol_the_bridge_calls()
    {
        var required = LibTorchSymbols.RequiredBy(Bridge);
        Assert.True(required.Count > 1000, $"the bridge calls {required.Count} libtorch symbols");
        Assert.Contains(required, s => s.StartsWith("_ZN2at", StringComparison.Ordinal));
        Assert.Empty(LibTorchSymbols.Missing(Bridge, new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Select(Bundled)));
        // c10 alone lacks the operators
        var missing = LibTorchSymbols.Missing(Bridge, [Bundled("libc10.so")]);
        Assert.True(missing.Count > required.Count / 2);
        Assert.DoesNotContain(missing, s => s.StartsWith("_ZN3c10", StringComparison.Ordinal) && LibTorchSymbols.DefinedIn([Bundled("libc10.so")]).Contains(s));
    }

    [Fact]
    public void Check_names_the_folder_and_what_is_wrong()
    {
        string notThere = Path.Combine(root, "absent");
        var e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Check(notThere, Bridge));
        Assert.StartsWith($"MMI_LIBTORCH={notThere} is not a folder", e.Message);

        string empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Check(empty, Bridge));
        Assert.Contains("has no libc10.so, libtorch_cpu.so, libtorch.so", e.Message);

        string mismatched = FakeTorchLib("old", "1.13.1+cpu", _ => Bundled("libc10.so"));
        e = Assert.Throws<InvalidOperationException>(() => ExternalLibTorch.Check(mismatched, Bridge));
        Assert.Contains("holds libtorch 1.13.1+cpu, which does not match TorchSharp's bridge (built for libtorch 2.10)", e.Message);
        Assert.Matches(@"\d+ of the \d+ libtorch symbols it calls are missing there \(first: _Z", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        string good = FakeTorchLib("good", "2.10.0+cpu");
        Assert.Equal(["libc10.so", "libtorch_cpu.so", "libtorch.so"], ExternalLibTorch.Check(good, Bridge).Select(Path.GetFileName));

        // a dependency the folder lacks: dlerror's reason, not .NET's generic message
        File.Delete(Path.Combine(good, "libgomp-98b21ff3.so.1"));
        string log = RunMmiInfo(good).Error;
        Assert.Contains("libtorch_cpu.so did not load: libgomp-98b21ff3.so.1: cannot open shared object file", log);
    }

    [Fact]
    public void Version_comes_from_version_py_or_build_version()
    {
        Assert.Equal("2.10.0+cu128", ExternalLibTorch.VersionOf(FakeTorchLib("a", "2.10.0+cu128")));
        string download = Directory.CreateDirectory(Path.Combine(root, "libtorch", "lib")).FullName;
        File.WriteAllText(Path.Combine(root, "libtorch", "build-version"), "2.10.0+cpu\n");
        Assert.Equal("2.10.0+cpu", ExternalLibTorch.VersionOf(download));
        Assert.Null(ExternalLibTorch.VersionOf(Directory.CreateDirectory(Path.Combine(root, "bare")).FullName));
    }

    [Fact]
    public void Info_in_a_fresh_process_reports_the_libtorch_it_was_given_and_refuses_a_mismatch_in_one_line()
    {
        var (code, output, error) = RunMmiInfo(FakeTorchLib("good", "2.10.0+cpu"));
        Assert.True(code == 0, error);
        string joined = System.Text.RegularExpressions.Regex.Replace(output, @"[\s│]", ""); // the table wraps long cells
        Assert.Contains("2.10.0+cpu(fromMMI_LIBTORCH", joined);
        Assert.Contains("libtorchlibrary/", joined);

        (code, output, error) = RunMmiInfo(FakeTorchLib("old", "1.13.1+cpu", _ => Bundled("libc10.so")));
        Assert.Equal(2, code);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mmi: MMI_LIBTORCH=", line);
        Assert.Contains("does not match", line);
    }

    private static (int Code, string Output, string Error) RunMmiInfo(string libtorch)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mmi.dll"));
        start.ArgumentList.Add("info");
        start.ArgumentList.Add("--device");
        start.ArgumentList.Add("cpu");
        start.Environment[ExternalLibTorch.EnvironmentVariable] = libtorch;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
