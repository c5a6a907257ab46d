using System.Globalization;
using System.Numerics;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Python 3's <c>round(x, ndigits)</c> on floats, which the official VQA script uses for every number it reports.
/// Python rounds the <em>exact</em> binary value of the double to <c>ndigits</c> decimals, half to even, and returns
/// the double nearest that decimal. So <c>round(2.675, 2)</c> is 2.67 (the double is 2.67499999…), and
/// <c>round(0.125, 2)</c> is 0.12 (an exact tie, to even). <see cref="Math.Round(double, int, MidpointRounding)"/>
/// differs on such cases, and <c>(decimal)x</c> is not exact, hence this arbitrary-precision version.
/// </summary>
public static class PythonRounding
{
    /// <summary>Rounds like Python's <c>round(value, digits)</c> for a float and <c>digits</c> ≥ 0.</summary>
    public static double Round(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        if (double.IsNaN(value) || double.IsInfinity(value) || value == 0) return value;

        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        // value = ±mantissa · 2^exponent exactly.
        long mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075;
        if (exponent >= 0) return value; // an integer already: nothing below the decimal point to round

        var scaled = new BigInteger(mantissa) * BigInteger.Pow(10, digits); // value · 10^digits · 2^-exponent
        var denominator = BigInteger.One << -exponent;
        var quotient = BigInteger.DivRem(scaled, denominator, out var remainder);
        int compare = (remainder * 2).CompareTo(denominator);
        if (compare > 0 || (compare == 0 && !quotient.IsEven)) quotient += 1;

        // .NET Core's parser is correctly rounded, like Python's strtod: the double nearest quotient · 10^-digits.
        string text = $"{(negative ? "-" : "")}{quotient.ToString(CultureInfo.InvariantCulture)}E-{digits}";
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
