namespace MMInterleaved.Tests;

/// <summary>Paths inside the repository, found from the test assembly's location (works from any clone).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding MMInterleaved.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Notebooks => Path.Combine(Root, "notebooks");
    public static string Artifacts => Path.Combine(Root, "artifacts");
    public static string TestFixtures => Path.Combine(Root, "tests", "MMInterleaved.Tests", "Fixtures");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MMInterleaved.sln"))) return dir.FullName;
        throw new InvalidOperationException($"MMInterleaved.sln not found above {AppContext.BaseDirectory}.");
    }
}
