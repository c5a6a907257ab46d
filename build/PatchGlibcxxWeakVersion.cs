// Build step (compiled by MSBuild's RoslynCodeTaskFactory, see Directory.Build.targets; also compiled into
// the tests): make TorchSharp 0.107.0's libLibTorchSharp.so load on hosts whose libstdc++ stops before
// GLIBCXX_3.4.32 (Debian 12 has 3.4.30).
//
// Why this works (design/platform-notes.md, "Blocker 1"): the only symbol the library takes from that version
// is std::ios_base_library_init(), and no relocation uses it. Setting VER_FLG_WEAK on the library's
// version-needed entry for GLIBCXX_3.4.32 turns the loader's hard "version not found" error into a warning.
// One 16-bit field changes; everything else in the file stays byte-identical. The file is replaced
// atomically (write a temporary copy beside it, then rename), so a concurrent build or a running process
// never sees a half-written library, and hard links made from the old file keep the old content.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchGlibcxxWeakVersion : Microsoft.Build.Utilities.Task
{
    /// <summary>The version tag whose requirement becomes weak.</summary>
    public const string VersionTag = "GLIBCXX_3.4.32";

    const ushort VerFlagWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Path of the libLibTorchSharp.so to patch (in the NuGet package folder).</summary>
    [Required]
    public string LibraryPath { get; set; } = "";

    /// <summary>Patch even if the host's libstdc++ already provides the tag (used by tests).</summary>
    public bool Force { get; set; }

    /// <summary>What happened: Patched, AlreadyWeak, HostHasVersion, NoRequirement or Missing.</summary>
    [Output]
    public string Outcome { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            if (!File.Exists(LibraryPath))
            {
                Outcome = "Missing";
                Log.LogMessage(MessageImportance.Low, $"PatchGlibcxxWeakVersion: {LibraryPath} not found; nothing to do.");
                return true;
            }
            if (!Force && HostProvidesVersion(VersionTag))
            {
                Outcome = "HostHasVersion";
                Log.LogMessage(MessageImportance.Low, $"PatchGlibcxxWeakVersion: host libstdc++ provides {VersionTag}; nothing to do.");
                return true;
            }
            Outcome = PatchFile(LibraryPath);
            Log.LogMessage(Outcome == "Patched" ? MessageImportance.High : MessageImportance.Low,
                $"PatchGlibcxxWeakVersion: {Outcome} {LibraryPath}");
            return true;
        }
        catch (Exception e)
        {
            Log.LogError($"PatchGlibcxxWeakVersion: could not patch '{LibraryPath}': {e.Message}");
            return false;
        }
    }

    /// <summary>Makes the file's requirement on <see cref="VersionTag"/> weak, atomically.
    /// Returns Patched, AlreadyWeak or NoRequirement (the file does not ask for the tag).</summary>
    public static string PatchFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int flagsOffset = FindVernauxFlagsOffset(bytes, VersionTag);
        if (flagsOffset < 0) return "NoRequirement";
        ushort flags = BitConverter.ToUInt16(bytes, flagsOffset);
        if ((flags & VerFlagWeak) != 0) return "AlreadyWeak";
        flags |= VerFlagWeak;

        // Copy (keeps the file mode), change the two bytes in the copy, then rename it over the original.
        // Written against netstandard2.0: RoslynCodeTaskFactory compiles with its reference assemblies.
        string temp = path + ".patch-" + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.Copy(path, temp);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Seek(flagsOffset, SeekOrigin.Begin);
                stream.Write(new[] { (byte)(flags & 0xff), (byte)(flags >> 8) }, 0, 2);
                stream.Flush(flushToDisk: true);
            }
            File.Replace(temp, path, null); // rename(2) on Unix: atomic on the same file system
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return "Patched";
    }

    /// <summary>True when the file requires <paramref name="tag"/> and marks the requirement weak.</summary>
    public static bool IsRequirementWeak(string path, string tag = VersionTag)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int offset = FindVernauxFlagsOffset(bytes, tag);
        if (offset < 0) throw new InvalidDataException($"{path} has no version requirement named {tag}.");
        return (BitConverter.ToUInt16(bytes, offset) & VerFlagWeak) != 0;
    }

    /// <summary>True when a libstdc++.so.6 in the usual library folders defines the version tag.</summary>
    public static bool HostProvidesVersion(string tag)
    {
        var folders = new System.Collections.Generic.List<string>();
        string ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "";
        folders.AddRange(ldPath.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
        folders.AddRange(new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" });
        byte[] needle = Encoding.ASCII.GetBytes(tag + "\0");
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, "libstdc++.so.6");
            if (File.Exists(candidate))
                return IndexOf(File.ReadAllBytes(candidate), needle) >= 0; // the loader takes the first found
        }
        return false;
    }

    /// <summary>Offset of vna_flags of the Vernaux entry named <paramref name="tag"/>, or -1.
    /// Parses ELF64 little-endian only (the linux-x64 TorchSharp natives).</summary>
    public static int FindVernauxFlagsOffset(byte[] elf, string tag)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");

        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long verneedOffset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int strtabIndex = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int verneedCount = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtabOffset = BitConverter.ToInt64(elf, (int)(shoff + (long)strtabIndex * shentsize) + 0x18);

            long vn = verneedOffset;
            for (int n = 0; n < verneedCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long name = strtabOffset + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == tag) return (int)aux + 4;
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        return -1;
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    static string ReadCString(byte[] bytes, long offset)
    {
        int end = (int)offset;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
    }
}
