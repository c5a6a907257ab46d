namespace MMInterleaved.Experiments;

/// <summary>
/// The exact one-sided sign-flip (paired permutation) test over seeds: under "the arms are equal" each seed's difference
/// d_s = a_s − b_s is as likely to have come out −d_s, so the p-value is the share of all 2ⁿ sign assignments whose sum
/// is at least the observed sum. It assumes no distribution (unlike the t-test), but its smallest p is 1/2ⁿ: 0.125 at
/// 3 seeds, 0.031 at 5, so below 5 seeds it can never reach α = 0.05.
/// </summary>
public static class SignFlipTest
{
    /// <summary>Most seeds enumerated exactly (2²⁰ assignments).</summary>
    public const int MaxSeeds = 20;

    /// <summary>P(Σ ±d_s ≥ Σ d_s) over the 2ⁿ sign assignments of <paramref name="differences"/>.</summary>
    public static double OneSidedP(IReadOnlyList<double> differences)
    {
        int n = differences.Count;
        if (n == 0) return double.NaN;
        if (n > MaxSeeds) throw new ArgumentException($"SignFlipTest: {n} paired seeds; the exact test enumerates at most {MaxSeeds}.");
        double observed = differences.Sum();
        // differences are sums of scores on a lattice; a tolerance keeps an assignment equal to the observed one counted
        double tolerance = 1e-9 * Math.Max(1, differences.Sum(Math.Abs));
        long atLeast = 0, total = 1L << n;
        for (long signs = 0; signs < total; signs++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += (signs >> i & 1) == 0 ? differences[i] : -differences[i];
            if (sum >= observed - tolerance) atLeast++;
        }
        return (double)atLeast / total;
    }
}
