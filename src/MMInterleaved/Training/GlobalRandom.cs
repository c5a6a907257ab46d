namespace MMInterleaved.Training;

/// <summary>
/// libtorch's default generator is process-global. Code that seeds it and then draws from it (model construction, a
/// trainer's start) holds <see cref="Lock"/>, so runs started in parallel threads initialise exactly as they would alone.
/// During training nothing draws from it in the presets used for parallel runs (no dropout).
/// </summary>
public static class GlobalRandom
{
    /// <summary>The lock.</summary>
    public static object Lock { get; } = new();
}
