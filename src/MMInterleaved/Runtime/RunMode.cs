namespace MMInterleaved.Runtime;

/// <summary>
/// Quick mode (MMI_QUICK=1): notebooks and `mmi` jobs shrink their runs to seconds so the test suite and CI can
/// execute them; full mode is the default for people.
/// </summary>
public static class RunMode
{
    /// <summary>Name of the environment variable that selects quick mode.</summary>
    public const string EnvironmentVariable = "MMI_QUICK";

    /// <summary>True when MMI_QUICK is 1, true or yes (any case).</summary>
    public static bool Quick =>
        Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>Picks the quick or the full value of a setting.</summary>
    public static T Choose<T>(T quick, T full) => Quick ? quick : full;
}
