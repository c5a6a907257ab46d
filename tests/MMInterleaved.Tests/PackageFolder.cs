namespace MMInterleaved.Tests;

/// <summary>Finds files in the NuGet global packages folder (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
public static class PackageFolder
{
    public static string Root
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            return !string.IsNullOrEmpty(env)
                ? env
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }
    }

    /// <summary>Path of a file inside an extracted package, e.g. ("torchsharp", "0.107.0", "torchsharp.0.107.0.nupkg").</summary>
    public static string File(string id, string version, string relativePath) => Path.Combine(Root, id, version, relativePath);
}
