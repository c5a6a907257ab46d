namespace MMInterleaved.Runtime;

/// <summary>Finds files shipped in the repository (such as the small preset's pre-trained encoder) by a path relative to the
/// repository root, whether the process runs from the root (`mmi`), from notebooks/ (a kernel) or from a test's bin folder.</summary>
public static class RepositoryFiles
{
    /// <summary>The existing file for <paramref name="path"/>, or null: absolute paths as given; relative paths from the
    /// current directory, then from each of its parents and the parents of the application's folder.</summary>
    public static string? Find(string path)
    {
        if (Path.IsPathRooted(path)) return File.Exists(path) ? path : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
