namespace MMInterleaved.Evaluation;

/// <summary>Few-shot settings of a <see cref="TaskEvaluator"/> run.</summary>
public sealed record FewShotOptions
{
    /// <summary>Solved examples placed before the query (0: zero-shot).</summary>
    public int Shots { get; init; }
    /// <summary>How shots are chosen.</summary>
    public ShotSelection Selection { get; init; } = ShotSelection.Random;
    /// <summary>Candidate shots drawn from the pool (the first this many training documents).</summary>
    public int PoolSize { get; init; } = 256;
    /// <summary>Seed of random shot selection (query i uses (Seed, i)).</summary>
    public long Seed { get; init; }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public FewShotOptions Validated()
    {
        if (Shots is < 0 or > 32) throw new ArgumentException($"FewShotOptions: Shots is {Shots}; it must be in 0…32.");
        if (Shots > 0 && PoolSize < Shots) throw new ArgumentException($"FewShotOptions: PoolSize ({PoolSize}) must be at least Shots ({Shots}).");
        if (!Enum.IsDefined(Selection)) throw new ArgumentException($"FewShotOptions: Selection {Selection} is not Random or Retrieval.");
        return this;
    }
}
