namespace MMInterleaved.Language;

/// <summary>
/// Text decoding settings (the reference passes its <c>max_length</c> as max new tokens). Defaults: greedy, 20 new
/// tokens. Captioning in the reference: 5 beams, 20 tokens, min 8; VQA: 3 beams, 10 tokens; its demo: nucleus sampling
/// with top-p 0.9 and repetition penalty 1.3.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on generated tokens.</summary>
    public int MaxNewTokens { get; init; } = 20;
    /// <summary>Stop tokens are forbidden before this many tokens.</summary>
    public int MinNewTokens { get; init; }
    /// <summary>Beams (1: greedy or sampling).</summary>
    public int NumBeams { get; init; } = 1;
    /// <summary>Beam score = sum of log-probabilities ÷ length^LengthPenalty.</summary>
    public double LengthPenalty { get; init; } = 1.0;
    /// <summary>Nucleus sampling instead of greedy choice (with one beam).</summary>
    public bool DoSample { get; init; }
    /// <summary>Nucleus: keep the smallest set of tokens whose probability reaches TopP.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Logits are divided by this before sampling.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>HF's repetition penalty on tokens already generated (1: none).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    /// <summary>Seed of the sampling generator.</summary>
    public long Seed { get; init; }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public GenerationOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("GenerationOptions: " + message); }
        Require(MaxNewTokens > 0, $"MaxNewTokens is {MaxNewTokens}; it must be positive.");
        Require(MinNewTokens >= 0 && MinNewTokens <= MaxNewTokens, $"MinNewTokens is {MinNewTokens}; it must lie in 0..MaxNewTokens ({MaxNewTokens}).");
        Require(NumBeams >= 1, $"NumBeams is {NumBeams}; it must be at least 1.");
        Require(!(DoSample && NumBeams > 1), "DoSample with NumBeams > 1 (beam sampling) is not supported; use one or the other.");
        Require(TopP is > 0 and <= 1, $"TopP is {TopP}; it must lie in (0, 1].");
        Require(Temperature > 0, $"Temperature is {Temperature}; it must be positive.");
        Require(RepetitionPenalty > 0, $"RepetitionPenalty is {RepetitionPenalty}; it must be positive.");
        return this;
    }
}
