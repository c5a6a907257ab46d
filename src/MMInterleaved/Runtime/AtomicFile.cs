namespace MMInterleaved.Runtime;

/// <summary>Writes a file so that readers see the old or the new content, never a half-written file: the content goes to a
/// temporary file of a unique name beside it (two writers never share one), which then replaces the file; the folder is
/// created when missing, and a failed write leaves no temporary file behind.</summary>
public static class AtomicFile
{
    /// <summary>Marker in the names of temporary files and folders (what a killed writer may leave, and a resume cleans).</summary>
    public const string TemporaryMarker = ".tmp-";

    /// <summary>A fresh temporary name beside <paramref name="path"/>.</summary>
    public static string TemporaryName(string path) => path + TemporaryMarker + Guid.NewGuid().ToString("N");

    /// <summary>Calls <paramref name="write"/> with a temporary path, then moves that file onto <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> write)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        string temporary = TemporaryName(path);
        try
        {
            write(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));
}
