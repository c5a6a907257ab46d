using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class PythonRoundingTests
{
    [Theory]
    // Values from CPython 3: round(x, 2).
    [InlineData(2.675, 2.67)]      // the double is 2.67499999…
    [InlineData(1.005, 1.0)]       // 1.00499999…
    [InlineData(0.125, 0.12)]      // an exact tie: to even
    [InlineData(0.375, 0.38)]      // an exact tie: to even
    [InlineData(33.335, 33.34)]       // 33.33500000000000085…
    [InlineData(66.66666666666667, 66.67)]
    [InlineData(33.33333333333333, 33.33)]
    [InlineData(-2.675, -2.67)]
    [InlineData(30.0, 30.0)]
    [InlineData(1e300, 1e300)]
    [InlineData(5e-324, 0.0)]
    public void Matches_python_round_to_two_places(double value, double expected) => Assert.Equal(expected, PythonRounding.Round(value, 2));

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(1.5, 2.0)]
    [InlineData(2.5, 2.0)]
    [InlineData(-0.5, -0.0)]
    public void Rounds_half_to_even_at_zero_places(double value, double expected) => Assert.Equal(expected, PythonRounding.Round(value, 0));

    [Fact]
    public void Differs_from_away_from_zero_rounding_where_python_does() =>
        Assert.NotEqual(Math.Round(0.125, 2, MidpointRounding.AwayFromZero), PythonRounding.Round(0.125, 2));

    [Fact]
    public void Vqa_style_values()
    {
        // 100 * (1/3 * 9 / 10) and friends: what a question with one matching human answer out of ten scores.
        Assert.Equal(30.0, PythonRounding.Round(100 * (9 * (1.0 / 3) / 10), 2));
        Assert.Equal(60.0, PythonRounding.Round(100 * ((2 * (1.0 / 3) + 8 * (2.0 / 3)) / 10), 2));
        Assert.Equal(44.44, PythonRounding.Round(100 * (4.0 / 9), 2));
    }
}
