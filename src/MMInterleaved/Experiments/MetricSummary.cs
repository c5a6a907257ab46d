namespace MMInterleaved.Experiments;

/// <summary>Mean and sample standard deviation of one metric over seeds.</summary>
public sealed record MetricSummary(double Mean, double Std, int N)
{
    /// <summary>Summary of <paramref name="values"/> (NaN values are left out).</summary>
    public static MetricSummary Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return new(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : double.NaN;
        return new(mean, std, v.Length);
    }

    /// <summary>"41.3 ± 2.1" (± one sample standard deviation over seeds).</summary>
    public override string ToString() => N == 0 ? "–" : N == 1 ? $"{Mean:F1}" : $"{Mean:F1} ± {Std:F1}";
}
