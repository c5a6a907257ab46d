using System.IO.Compression;
using Microsoft.Build.Framework;
using MMInterleaved.Native;
using Xunit;

namespace MMInterleaved.Tests.Native;

/// <summary>The build step that makes libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak
/// (build/PatchGlibcxxWeakVersion.cs), tested on a pristine copy taken from the TorchSharp .nupkg.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // the patch and its subject are Linux ELF files
public sealed class GlibcxxPatchTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mmi-patch-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string PristineCopy()
    {
        string nupkg = PackageFolder.File("torchsharp", "0.107.0", "torchsharp.0.107.0.nupkg");
        Assert.True(File.Exists(nupkg), $"TorchSharp package not found at {nupkg}");
        string target = Path.Combine(folder, "libLibTorchSharp.so");
        using var zip = ZipFile.OpenRead(nupkg);
        zip.GetEntry("runtimes/linux-x64/native/libLibTorchSharp.so")!.ExtractToFile(target);
        return target;
    }

    [Fact]
    public void Pristine_library_requires_the_version_strongly()
    {
        string lib = PristineCopy();
        Assert.False(PatchGlibcxxWeakVersion.IsRequirementWeak(lib));
    }

    [Fact]
    public void Patch_sets_the_weak_flag_and_changes_one_byte_only()
    {
        string lib = PristineCopy();
        byte[] before = File.ReadAllBytes(lib);
        var modeBefore = File.GetUnixFileMode(lib);

        Assert.Equal("Patched", PatchGlibcxxWeakVersion.PatchFile(lib));

        byte[] after = File.ReadAllBytes(lib);
        Assert.True(PatchGlibcxxWeakVersion.IsRequirementWeak(lib));
        Assert.Equal(before.Length, after.Length);
        int flagsOffset = PatchGlibcxxWeakVersion.FindVernauxFlagsOffset(before, PatchGlibcxxWeakVersion.VersionTag);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal([flagsOffset], changed);                       // the low byte of vna_flags, nothing else
        Assert.Equal(before[flagsOffset] | 0x2, after[flagsOffset]); // VER_FLG_WEAK added, other flags kept
        Assert.Equal(modeBefore, File.GetUnixFileMode(lib));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));           // no temporary file left behind
    }

    [Fact]
    public void Second_patch_is_a_no_op()
    {
        string lib = PristineCopy();
        PatchGlibcxxWeakVersion.PatchFile(lib);
        byte[] once = File.ReadAllBytes(lib);
        var writeTime = File.GetLastWriteTimeUtc(lib);

        Assert.Equal("AlreadyWeak", PatchGlibcxxWeakVersion.PatchFile(lib));
        Assert.Equal(once, File.ReadAllBytes(lib));
        Assert.Equal(writeTime, File.GetLastWriteTimeUtc(lib)); // not even rewritten
    }

    [Fact]
    public void Build_task_patches_once_then_reports_already_weak()
    {
        string lib = PristineCopy();
        var engine = new RecordingBuildEngine();
        var first = new PatchGlibcxxWeakVersion { LibraryPath = lib, Force = true, BuildEngine = engine };
        Assert.True(first.Execute());
        Assert.Equal("Patched", first.Outcome);

        var second = new PatchGlibcxxWeakVersion { LibraryPath = lib, Force = true, BuildEngine = engine };
        Assert.True(second.Execute());
        Assert.Equal("AlreadyWeak", second.Outcome);
        Assert.Empty(engine.Errors);
    }

    [Fact]
    public void Build_task_does_nothing_for_a_missing_file()
    {
        var task = new PatchGlibcxxWeakVersion { LibraryPath = Path.Combine(folder, "absent.so"), BuildEngine = new RecordingBuildEngine() };
        Assert.True(task.Execute());
        Assert.Equal("Missing", task.Outcome);
    }

    [Fact]
    public void Build_task_fails_clearly_on_a_file_that_is_not_elf()
    {
        string bogus = Path.Combine(folder, "bogus.so");
        File.WriteAllText(bogus, "not a shared library");
        var engine = new RecordingBuildEngine();
        var task = new PatchGlibcxxWeakVersion { LibraryPath = bogus, Force = true, BuildEngine = engine };
        Assert.False(task.Execute());
        Assert.Contains(engine.Errors, e => e.Contains("bogus.so") && e.Contains("not an ELF file"));
    }

    [Fact]
    public void The_library_this_process_loaded_was_patched_where_the_host_needs_it()
    {
        TorchNative.EnsureLoaded();
        string loaded = TorchNative.LoadedFrom!;
        if (!PatchGlibcxxWeakVersion.HostProvidesVersion(PatchGlibcxxWeakVersion.VersionTag))
            Assert.True(PatchGlibcxxWeakVersion.IsRequirementWeak(loaded), $"{loaded} still requires GLIBCXX_3.4.32 strongly");
    }

    private sealed class RecordingBuildEngine : IBuildEngine
    {
        public List<string> Errors { get; } = [];
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test";
        public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties, System.Collections.IDictionary targetOutputs) => true;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e.Message ?? "");
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
    }
}
