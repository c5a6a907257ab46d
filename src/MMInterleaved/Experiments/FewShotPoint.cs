namespace MMInterleaved.Experiments;

/// <summary>One trained run evaluated with k shots: official VQA accuracy (%) overall and in the paper's two columns.</summary>
public sealed record FewShotPoint(string Variant, long Seed, int Shots, double Overall, double Reading, double Attributes);
