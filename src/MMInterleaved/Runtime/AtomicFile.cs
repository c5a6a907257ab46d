namespace MMInterleaved.Runtime;

/// <summary>Writes a text file so that readers see the old or the new content, never a half-written file: the text goes
/// to <c>path.tmp</c>, which then replaces the file (its folder is created when missing).</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
