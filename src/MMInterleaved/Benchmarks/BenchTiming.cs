using System.Diagnostics;

namespace MMInterleaved.Benchmarks;

/// <summary>The benchmarks' clock: one warm-up run (allocator, kernels, caches), then timed runs; medians reported.</summary>
internal static class BenchTiming
{
    /// <summary>Milliseconds of each of <paramref name="repeats"/> runs after one warm-up.</summary>
    public static double[] Time(int repeats, Action action)
    {
        action();
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            action();
            samples[r] = watch.Elapsed.TotalMilliseconds;
        }
        return samples;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> xs)
    {
        var sorted = xs.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
