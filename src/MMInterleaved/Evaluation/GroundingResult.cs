namespace MMInterleaved.Evaluation;

/// <summary>Grounding accuracy: the share of examples whose predicted box has IoU ≥ 0.5 with the truth.</summary>
/// <param name="Total">Examples scored.</param>
/// <param name="Correct">Examples with IoU ≥ the threshold.</param>
/// <param name="Malformed">Examples whose output held no valid box; they count as misses in <see cref="Accuracy"/>.</param>
public sealed record GroundingResult(int Total, int Correct, int Malformed)
{
    /// <summary>Correct / Total (0 when there are no examples).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}
