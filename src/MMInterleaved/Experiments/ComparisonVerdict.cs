using System.Globalization;

namespace MMInterleaved.Experiments;

/// <summary>
/// One of the paper's "A beats B" findings tested on one metric, paired by seed (seed s trains both arms on the same data):
/// the mean of the per-seed differences a_s − b_s and its standard error (SD / √n), a one-sided paired t-test (Student t,
/// n − 1 degrees of freedom) in the paper's direction and, beside it, the exact sign-flip test. The verdict comes from the
/// t-test's p after Holm's correction across the metrics of one comparison (<see cref="Holm"/>): reproduced when the
/// corrected p in the paper's direction is below <see cref="Alpha"/>, not reproduced when the corrected p in the opposite
/// direction is, otherwise inconclusive (also when fewer than 2 seeds pair or the differences have no spread).
/// </summary>
/// <param name="Better">The arm the paper finds better.</param>
/// <param name="Worse">The arm it beats.</param>
/// <param name="Metric">The metric compared.</param>
/// <param name="Difference">Mean over paired seeds of better − worse.</param>
/// <param name="StandardError">SE of that mean (SD of the differences / √n).</param>
/// <param name="Verdict">"reproduced", "not reproduced" or "inconclusive".</param>
public sealed record ComparisonVerdict(string Better, string Worse, string Metric, double Difference, double StandardError, string Verdict)
{
    /// <summary>Seeds both arms have (the pairs tested).</summary>
    public int Seeds { get; init; }

    /// <summary>The paired t statistic (NaN when undefined).</summary>
    public double T { get; init; } = double.NaN;

    /// <summary>One-sided paired t-test p in the paper's direction, uncorrected.</summary>
    public double OneSidedP { get; init; } = double.NaN;

    /// <summary>The same test's p in the opposite direction (worse beats better), uncorrected.</summary>
    public double OppositeP { get; init; } = double.NaN;

    /// <summary><see cref="OneSidedP"/> after Holm's correction across the comparison's metrics (what decides).</summary>
    public double HolmP { get; init; } = double.NaN;

    /// <summary><see cref="OppositeP"/> after the same correction.</summary>
    public double HolmOppositeP { get; init; } = double.NaN;

    /// <summary>Exact one-sided sign-flip p in the paper's direction (a check that assumes no distribution).</summary>
    public double SignFlipP { get; init; } = double.NaN;

    /// <summary>Metrics in the comparison's Holm family.</summary>
    public int Family { get; init; } = 1;

    /// <summary>The error rate of each direction's verdict, per comparison.</summary>
    public const double Alpha = 0.05;

    /// <summary>The test in a few words, as a verdict's reason opens.</summary>
    public const string ShortTest = "one-sided paired t-test over seeds, Holm-corrected, α = 0.05";

    /// <summary>The test, as every report's legend names it.</summary>
    public const string Test = "one-sided paired t-test over seeds (Student t, df = seeds − 1), Holm-corrected across the metrics of each comparison, α = 0.05; exact sign-flip p beside it";

    /// <summary>"<paramref name="better"/> beats <paramref name="worse"/>" on <paramref name="metric"/> from each arm's value per
    /// seed, paired on the seeds both have, as a family of one (<see cref="Holm"/> corrects a family of several).</summary>
    public static ComparisonVerdict Paired(string better, string worse, string metric, IReadOnlyDictionary<long, double> a, IReadOnlyDictionary<long, double> b)
    {
        var seeds = a.Keys.Where(s => b.ContainsKey(s) && double.IsFinite(a[s]) && double.IsFinite(b[s])).Order().ToList();
        var unjudged = new ComparisonVerdict(better, worse, metric, double.NaN, double.NaN, "inconclusive") { Seeds = seeds.Count };
        if (seeds.Count < 2) return unjudged;
        var x = seeds.Select(s => a[s]).ToList();
        var y = seeds.Select(s => b[s]).ToList();
        var test = PairedSeedTest.Of(x, y);
        var verdict = unjudged with
        {
            Difference = test.MeanDifference, StandardError = test.StandardError, T = test.T,
            OneSidedP = test.OneSidedP, OppositeP = test.NoSpread ? double.NaN : 1 - test.OneSidedP,
            SignFlipP = SignFlipTest.OneSidedP([.. x.Zip(y, (p, q) => p - q)]),
        };
        return Holm([verdict])[0];
    }

    /// <summary>The verdicts of one comparison's metrics with Holm's step-down correction applied to each direction's
    /// p-values (an undefined p counts as 1 and stays in the family), and the verdicts decided from the corrected p.</summary>
    public static IReadOnlyList<ComparisonVerdict> Holm(IReadOnlyList<ComparisonVerdict> family)
    {
        var paper = HolmAdjusted(family.Select(v => v.OneSidedP).ToList());
        var opposite = HolmAdjusted(family.Select(v => v.OppositeP).ToList());
        return [.. family.Select((v, i) => v with
        {
            HolmP = paper[i], HolmOppositeP = opposite[i], Family = family.Count,
            Verdict = paper[i] < Alpha ? "reproduced" : opposite[i] < Alpha ? "not reproduced" : "inconclusive",
        })];
    }

    /// <summary>Holm's adjusted p-values (in input order): the k-th smallest of m becomes max over j ≤ k of (m − j + 1)·p₍ⱼ₎,
    /// capped at 1. NaN counts as 1.</summary>
    public static IReadOnlyList<double> HolmAdjusted(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => double.IsNaN(p[i]) ? 1 : p[i]).ToList();
        var adjusted = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++)
        {
            double value = double.IsNaN(p[order[k]]) ? 1 : p[order[k]];
            running = Math.Max(running, Math.Min(1, (m - k) * value));
            adjusted[order[k]] = running;
        }
        return adjusted;
    }

    /// <summary>"+12.3 ± 2.1 (SE over 5 seeds), t = 5.8, df 4, one-sided p = 0.002, Holm p = 0.004 (2 metrics), sign-flip p = 0.031".</summary>
    public string Evidence()
    {
        var c = CultureInfo.InvariantCulture;
        if (Seeds < 2) return $"{Seeds} paired seed(s): no paired test";
        if (double.IsNaN(T)) return string.Create(c, $"{Difference:+0.0;-0.0;0.0} in each of {Seeds} seeds (no spread: the paired t-test is undefined), sign-flip p = {P(SignFlipP)}");
        return string.Create(c, $"{Difference:+0.0;-0.0;0.0} ± {StandardError:0.0} (SE over {Seeds} seeds), t = {T:0.00}, df {Seeds - 1}, one-sided p = {P(OneSidedP)}, Holm p = {P(HolmP)} ({Family} metric{(Family == 1 ? "" : "s")}), sign-flip p = {P(SignFlipP)}");
    }

    /// <summary>A p-value as reports print it: three decimals, "&lt; 0.001" below (it would round to a certain-looking 0).</summary>
    public static string P(double p) => double.IsNaN(p) ? "–" : p < 0.001 ? "< 0.001" : p.ToString("0.###", CultureInfo.InvariantCulture);
}
