namespace MMInterleaved.Evaluation;

/// <summary>
/// Referring-expression grounding accuracy as MM-Interleaved's <c>grounding_eval</c> computes it: the first
/// <c>(x1,y1)(x2,y2)</c> of each output is scaled from the 0…999 grid to the image, and counts as correct when its IoU
/// with the ground-truth box is at least 0.5 (float32 arithmetic, as the reference's tensors). The reference turns
/// an unparsable output into the box (0,0,0,0), a certain miss; here such outputs are misses too and are also counted
/// in <see cref="GroundingResult.Malformed"/>. Stricter than the reference: coordinates must be integers within
/// 0…999 with x1 ≤ x2 and y1 ≤ y2 (see <see cref="GroundingBox.TryParse"/>).
/// </summary>
public static class GroundingAccuracy
{
    /// <summary>The IoU an output needs to count as correct.</summary>
    public const float Threshold = 0.5f;

    /// <summary>Scores the samples.</summary>
    public static GroundingResult Evaluate(IEnumerable<GroundingSample> samples)
    {
        int total = 0, correct = 0, malformed = 0;
        foreach (var sample in samples)
        {
            total++;
            if (!GroundingBox.TryFind(sample.Prediction, out var box))
            {
                malformed++;
                continue;
            }
            if (box.ToImage(sample.Width, sample.Height).Iou(sample.Truth) >= Threshold) correct++;
        }
        return new GroundingResult(total, correct, malformed);
    }
}
