namespace MMInterleaved.Benchmarks;

/// <summary>A problem size for <see cref="MmfsBenchmark"/>: one batch of Tokens queries over Images images.</summary>
public sealed record MmfsBenchShape(string Name, int DQuery, int DModel, double Ratio, int DValue, int NumHeads, int NumPoints,
    int[] Levels, int BaseSide, int Images, int Tokens)
{
    /// <summary>Query 256, value width 128, 4 heads, 4 points, levels 16/8/4 on base 8, 4 images, 128 tokens.</summary>
    public static MmfsBenchShape Small { get; } = new("small", 256, 256, 0.5, 128, 4, 4, [16, 8, 4], 8, 4, 128);

    /// <summary>The paper's decoder MMFS: query 5120, value width 1024, 16 heads, 8 points, levels 32/16/8 on base 16,
    /// 8 images, 256 tokens.</summary>
    public static MmfsBenchShape Paper { get; } = new("paper", 5120, 5120, 0.2, 1024, 16, 8, [32, 16, 8], 16, 8, 256);

    /// <summary>A seconds-sized shape for tests and quick runs.</summary>
    public static MmfsBenchShape Tiny { get; } = new("tiny", 32, 32, 0.5, 24, 2, 2, [8, 4], 4, 3, 16);

    /// <summary>Looks a shape up by name (small, paper, tiny).</summary>
    public static MmfsBenchShape Named(string name) => name.ToLowerInvariant() switch
    {
        "small" => Small,
        "paper" => Paper,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"unknown bench shape '{name}': expected small, paper or tiny."),
    };

    /// <summary>Value width (DModel·Ratio).</summary>
    public int ValueDim => (int)(DModel * Ratio);
    /// <summary>Positions per image (Σ side²).</summary>
    public long PositionsPerImage => Levels.Sum(s => (long)s * s);
}
