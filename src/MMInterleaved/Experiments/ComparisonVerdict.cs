namespace MMInterleaved.Experiments;

/// <summary>
/// One of the paper's "A beats B" findings tested on one metric: the difference of the seed means and its standard
/// error (√(s²_A/n_A + s²_B/n_B)). Reproduced: the difference exceeds two standard errors in the paper's direction; not
/// reproduced: it exceeds two standard errors the other way; inconclusive: within noise.
/// </summary>
public sealed record ComparisonVerdict(string Better, string Worse, string Metric, double Difference, double StandardError, string Verdict)
{
    /// <summary>"<paramref name="better"/> beats <paramref name="worse"/>" on <paramref name="metric"/>, from their seed summaries.</summary>
    public static ComparisonVerdict Of(string better, string worse, string metric, MetricSummary a, MetricSummary b)
    {
        double difference = a.Mean - b.Mean;
        double se = Math.Sqrt(a.Std * a.Std / a.N + b.Std * b.Std / b.N);
        return new ComparisonVerdict(better, worse, metric, difference, se, Judge(difference, se));
    }

    /// <summary>The verdict for a difference and its standard error.</summary>
    public static string Judge(double difference, double standardError) =>
        !double.IsFinite(difference) || !double.IsFinite(standardError) ? "inconclusive"   // one seed: no spread, no verdict
        : difference > 2 * standardError ? "reproduced"
        : difference < -2 * standardError ? "not reproduced"
        : "inconclusive";
}
