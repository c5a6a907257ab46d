namespace MMInterleaved.Runtime;

/// <summary>
/// The process's resident memory from <c>/proc/self/status</c> (Linux): current (VmRSS) and peak (VmHWM), with the peak
/// resettable by writing 5 to <c>/proc/self/clear_refs</c>, so the peak of one step can be measured. Elsewhere the
/// peak falls back to <see cref="Environment.WorkingSet"/>.
/// </summary>
public static partial class ProcessMemory
{
    /// <summary>
    /// Gives glibc's free heap memory back to the system (malloc_trim), so that memory a step allocates shows up as
    /// resident growth. Without it, buffers freed by earlier steps stay resident in glibc's heap, the next step reuses
    /// them, and its peak above the baseline reads 0 MB (measured). Returns false where malloc_trim is unavailable.
    /// </summary>
    public static bool TrimFreedMemory()
    {
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Resets the peak to the current resident size and returns that size in MB.</summary>
    public static double ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not Linux, or not allowed: the peak then only grows
        }
        return Read("VmRSS:") ?? Environment.WorkingSet / 1e6;
    }

    /// <summary>Peak resident size since the last reset, in MB.</summary>
    public static double PeakMb() => Read("VmHWM:") ?? Environment.WorkingSet / 1e6;

    private static double? Read(string key)
    {
        if (!File.Exists("/proc/self/status")) return null;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1e3;  // kB
        return null;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
