namespace MMInterleaved.Language;

/// <summary>Generated token ids per prompt row (the stop token included when one was produced, no padding) and the
/// score of each: the summed log-probability (greedy/sampling) or the length-penalised beam score.</summary>
public sealed record GenerationResult(long[][] Tokens, double[] Scores);
