using MathNet.Numerics.Distributions;

namespace MMInterleaved.Experiments;

/// <summary>
/// A one-sided paired t-test over seeds: seed s gives arm A's value a_s and arm B's b_s (same seed, same data), the
/// differences d_s = a_s − b_s are the sample, and the test asks whether their mean is above zero, with the Student-t
/// distribution of n − 1 degrees of freedom (MathNet.Numerics) rather than a normal threshold. SE = SD / √n.
/// </summary>
/// <param name="N">Seeds paired.</param>
/// <param name="MeanDifference">Mean of the differences.</param>
/// <param name="StandardDeviation">Their sample SD (n − 1).</param>
/// <param name="StandardError">SD / √n.</param>
/// <param name="T">Mean / SE.</param>
/// <param name="OneSidedP">P(T_{n−1} ≥ t): the chance of a mean difference this large if the arms were equal (NaN when
/// the differences have no spread).</param>
public sealed record PairedSeedTest(int N, double MeanDifference, double StandardDeviation, double StandardError, double T, double OneSidedP)
{
    /// <summary>The test of <paramref name="better"/> over <paramref name="worse"/>, paired by position (seed order).</summary>
    public static PairedSeedTest Of(IReadOnlyList<double> better, IReadOnlyList<double> worse)
    {
        if (better.Count != worse.Count) throw new ArgumentException($"PairedSeedTest: {better.Count} and {worse.Count} values; pair one value per seed in each arm.");
        if (better.Count < 2) throw new ArgumentException($"PairedSeedTest: {better.Count} seed(s); a paired test needs at least 2.");
        var d = better.Zip(worse, (a, b) => a - b).ToArray();
        int n = d.Length;
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        // Scores on a lattice (k of 48 prompts) can give identical differences: no spread to test against, and a t of
        // 1e16 from rounding noise would read as certainty. Such a test is undefined (NaN), not significant.
        if (sd <= 1e-9 * Math.Max(1, Math.Abs(mean))) return new PairedSeedTest(n, mean, 0, 0, double.NaN, double.NaN);
        double se = sd / Math.Sqrt(n);
        double t = mean / se;
        return new PairedSeedTest(n, mean, sd, se, t, 1 - StudentT.CDF(0, 1, n - 1, t));
    }

    /// <summary>Every paired difference is the same: the test is undefined (its T and P are NaN).</summary>
    public bool NoSpread => StandardDeviation == 0;

    /// <inheritdoc/>
    public override string ToString() => NoSpread
        ? FormattableString.Invariant($"{MeanDifference:0.###} in each of {N} seeds (no spread: the paired t-test is undefined)")
        : FormattableString.Invariant($"{MeanDifference:0.###} ± {StandardError:0.###} (SE over {N} seeds), t = {T:0.##}, df {N - 1}, one-sided {PValue}");

    // Below 0.001 the third decimal rounds to 0, which would read as certainty.
    private string PValue => OneSidedP < 0.001 ? "p < 0.001" : FormattableString.Invariant($"p = {OneSidedP:0.###}");
}
