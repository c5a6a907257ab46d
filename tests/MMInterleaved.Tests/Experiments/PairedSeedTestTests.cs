using MMInterleaved.Experiments;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

public class PairedSeedTestTests
{
    [Fact]
    public void Three_seeds_match_the_closed_form_student_t_tail_with_two_degrees_of_freedom()
    {
        // differences 1, 2, 3: mean 2, SD 1, SE 1/√3, t = 2√3; for df 2, P(T ≥ t) = (1 − t / √(t² + 2)) / 2
        var test = PairedSeedTest.Of([11, 12, 13], [10, 10, 10]);
        double t = 2 * Math.Sqrt(3);
        Assert.Equal(3, test.N);
        Assert.Equal(2, test.MeanDifference, 12);
        Assert.Equal(1, test.StandardDeviation, 12);
        Assert.Equal(1 / Math.Sqrt(3), test.StandardError, 12);
        Assert.Equal(t, test.T, 12);
        Assert.Equal((1 - t / Math.Sqrt(t * t + 2)) / 2, test.OneSidedP, 9);
    }

    [Fact]
    public void Two_seeds_use_the_cauchy_tail_and_the_pairing_removes_the_seed_effect()
    {
        // seed effects of ±50 cancel in the differences 1 and 3 (t = 2, df 1: P = 1/2 − atan(2)/π)
        var test = PairedSeedTest.Of([51, -47], [50, -50]);
        Assert.Equal(2, test.T, 12);
        Assert.Equal(0.5 - Math.Atan(2) / Math.PI, test.OneSidedP, 9);
        Assert.True(PairedSeedTest.Of([1, 2, 3], [3, 4.5, 5]).OneSidedP > 0.99);   // B better: no evidence for A
        Assert.Throws<ArgumentException>(() => PairedSeedTest.Of([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => PairedSeedTest.Of([1], [0]));
    }

    [Fact]
    public void A_p_value_below_a_thousandth_is_written_as_a_bound_not_as_zero()
    {
        // differences 10, 10.1, 9.9: t ≈ 173, P far below 0.001; differences 1, 2, 3 give P ≈ 0.037
        Assert.EndsWith("one-sided p < 0.001", PairedSeedTest.Of([20, 20.1, 19.9], [10, 10, 10]).ToString());
        Assert.EndsWith("one-sided p = 0.037", PairedSeedTest.Of([11, 12, 13], [10, 10, 10]).ToString());
    }

    [Fact]
    public void Identical_differences_leave_the_test_undefined_rather_than_certain()
    {
        // k of 48 prompts: 16.667 − 12.5, 10.417 − 6.25, 8.333 − 4.167 are all 4.167 up to rounding (the t would be ~1e16)
        var test = PairedSeedTest.Of([100.0 * 8 / 48, 100.0 * 5 / 48, 100.0 * 4 / 48], [100.0 * 6 / 48, 100.0 * 3 / 48, 100.0 * 2 / 48]);
        Assert.True(test.NoSpread);
        Assert.True(double.IsNaN(test.T) && double.IsNaN(test.OneSidedP));
        Assert.Equal(100.0 * 2 / 48, test.MeanDifference, 9);
        Assert.Contains("no spread", test.ToString());
        Assert.False(PairedSeedTest.Of([3, 2, 1], [1, 1, 0]).NoSpread);
    }
}
