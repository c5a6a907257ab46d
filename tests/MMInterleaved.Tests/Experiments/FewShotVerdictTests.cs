using MMInterleaved.Experiments;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

public sealed class FewShotVerdictTests
{
    private static readonly int[] Shots = [0, 2, 4, 8];

    // Three seeds per variant and shot count: accuracy = base(k) + a seed offset + a small deterministic wobble per
    // (variant, seed, shots), so paired differences have a spread (-0.3 .. +0.3) and the paired t-test is defined.
    private static FewShotResult Curves(Func<int, double> mmfs, Func<int, double> plain) => new(
        "test", DateTime.UnixEpoch, "token-efficiency", 10,
        new Dictionary<string, string> { ["mmfs-8"] = "MMFS", ["no-mmfs-64"] = "no MMFS" },
        [.. from seed in new long[] { 0, 1, 2 }
            from k in Shots
            from variant in new[] { ("mmfs-8", mmfs, 0), ("no-mmfs-64", plain, 1) }
            select new FewShotPoint(variant.Item1, seed, k, variant.Item2(k) + seed + 0.3 * Math.Sin(seed * 12.9898 + k * 78.233 + variant.Item3 * 37.719), 0, 0)]);

    [Fact]
    public void A_lead_at_every_shot_count_with_falling_accuracy_is_a_lead_reproduced_and_a_rise_not_reproduced()
    {
        var curves = Curves(k => 60 - 3 * k, _ => 20);
        var verdicts = curves.Verdicts();
        Assert.Equal(5, verdicts.Count);                                        // one per shot count, then the rise
        Assert.All(verdicts.Take(4), v => Assert.Equal("reproduced", v.Verdict));
        Assert.Equal("not reproduced", verdicts[^1].Verdict);
        Assert.Equal(-24, verdicts[^1].Difference, 0);                          // 8 shots vs 0 shots: 36 − 60, give or take the wobble
        Assert.Equal(3, verdicts[^1].Seeds);                                    // paired by seed
        Assert.StartsWith("MMFS ahead at every shot count: reproduced; accuracy rising with shots (mmfs-8, 8 shots vs mmfs-8, 0 shots: -24.", curves.Verdict());
        Assert.Contains("(SE over 3 seeds), t = ", curves.Verdict());
        Assert.EndsWith("): not reproduced", curves.Verdict());
        Assert.Contains("**Verdict.** MMFS ahead at every shot count: reproduced", FewShotReport.Markdown(curves));
    }

    [Fact]
    public void A_lead_lost_at_one_shot_count_within_noise_is_inconclusive_and_a_reversal_is_not_reproduced()
    {
        Assert.StartsWith("MMFS ahead at every shot count: inconclusive", Curves(k => k == 8 ? 20 : 40 + k, _ => 20).Verdict());
        Assert.StartsWith("MMFS ahead at every shot count: not reproduced", Curves(k => k == 8 ? 10 : 40 + k, _ => 20).Verdict());
        Assert.EndsWith("): reproduced", Curves(k => 40 + k, _ => 20).Verdict());
        Assert.Contains("rising with shots (mmfs-8, 8 shots vs mmfs-8, 0 shots: +", Curves(k => 40 + k, _ => 20).Verdict());
        Assert.Equal(8, Curves(k => 40 + k, _ => 20).Verdicts()[^1].Difference, 0);
    }
}
