namespace MMInterleaved.Experiments;

/// <summary>The Markdown table of <see cref="ComparisonVerdict"/>s that the comprehension and few-shot reports share.</summary>
public static class VerdictTable
{
    /// <summary>Header and separator lines.</summary>
    public static string Header(bool withMetric) =>
        $"| paper finding |{(withMetric ? " metric |" : "")} difference (points, mean of paired seeds) | SE | seeds | t | one-sided p | Holm p | sign-flip p | verdict |\n" +
        $"|---|{(withMetric ? "---|" : "")}---|---|---|---|---|---|---|---|";

    /// <summary>One verdict's row; <paramref name="metric"/> null leaves the metric column out.</summary>
    public static string Row(ComparisonVerdict v, string? metric) => FormattableString.Invariant(
        $"| {v.Better} > {v.Worse} |{(metric is null ? "" : $" {metric} |")} {v.Difference:+0.0;-0.0;0.0} | {v.StandardError:0.0} | {v.Seeds} | {(double.IsNaN(v.T) ? "–" : v.T.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))} | {ComparisonVerdict.P(v.OneSidedP)} | {ComparisonVerdict.P(v.HolmP)} | {ComparisonVerdict.P(v.SignFlipP)} | {v.Verdict} |");

    /// <summary>What the columns mean and which test decides.</summary>
    public const string Legend = "Verdicts: " + ComparisonVerdict.Test + ". SE is the standard error of the mean paired difference (SD / √seeds); a p below 0.001 prints as \"< 0.001\".";
}
