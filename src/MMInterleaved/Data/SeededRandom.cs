namespace MMInterleaved.Data;

/// <summary>
/// A deterministic PRNG (xoshiro256** seeded through SplitMix64), written out here so generated data never depends
/// on <see cref="System.Random"/>, whose algorithm .NET may change. Every draw is specified, so a (seed, index) pair
/// names the same document on every machine and runtime.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator whose four state words are SplitMix64 outputs from <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator for a composite key, e.g. (seed, split, index, purpose): each part is folded in with a
    /// strong mixer, so neighbouring keys give unrelated streams.</summary>
    public static SeededRandom For(params ReadOnlySpan<ulong> key) => new(Hash(key));

    /// <summary>The 64-bit hash <see cref="For"/> seeds with.</summary>
    public static ulong Hash(params ReadOnlySpan<ulong> key)
    {
        ulong h = 0x243F6A8885A308D3UL;
        foreach (ulong k in key) h = Mix(h ^ Mix(k + 0x9E3779B97F4A7C15UL));
        return h;
    }

    /// <summary>A stable 64-bit hash of a string (FNV-1a over UTF-16 code units), for keys named by text.</summary>
    public static ulong Hash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text) { h ^= c; h *= 0x100000001B3UL; }
        return Mix(h);
    }

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mixer.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix64(ref ulong x) => Mix(x += 0x9E3779B97F4A7C15UL);

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="n"/>) (Lemire's method, unbiased).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n;
        UInt128 m = (UInt128)NextUInt64() * bound;
        if ((ulong)m < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while ((ulong)m < threshold) m = (UInt128)NextUInt64() * bound;
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int min, int maxExclusive) => min + NextInt(maxExclusive - min);

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(double p = 0.5) => NextDouble() < p;

    /// <summary>A uniformly chosen element.</summary>
    public T Choose<T>(IReadOnlyList<T> items) =>
        items.Count > 0 ? items[NextInt(items.Count)] : throw new ArgumentException("Choose: the list is empty.", nameof(items));

    /// <summary>An index drawn with probability proportional to <paramref name="weights"/> (non-negative, positive sum).</summary>
    public int ChooseWeighted(IReadOnlyList<double> weights)
    {
        double total = weights.Sum();
        if (!(total > 0)) throw new ArgumentException("ChooseWeighted: the weights must have a positive sum.", nameof(weights));
        double u = NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            if (u < weights[i]) return i;
            u -= weights[i];
        }
        for (int i = weights.Count - 1; ; i--) if (weights[i] > 0) return i; // rounding left u at the very end
    }

    /// <summary>Shuffles in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
