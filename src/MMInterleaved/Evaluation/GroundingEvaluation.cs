using System.Text.Json.Nodes;

namespace MMInterleaved.Evaluation;

/// <summary>A grounding evaluation: each query's generated text and the accuracy at IoU ≥ 0.5 (outputs without a valid
/// box counted separately and as misses).</summary>
public sealed record GroundingEvaluation(IReadOnlyList<GroundingSample> Samples, GroundingResult Result, FewShotOptions FewShot) : ITaskEvaluation
{
    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double> { ["accuracy"] = 100 * Result.Accuracy, ["malformed"] = Result.Malformed };

    /// <summary>Writes <c>grounding_predictions.json</c> and <c>grounding_scores.json</c> into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var predictions = new JsonArray(Samples.Select((s, i) => (JsonNode)new JsonObject
        {
            ["id"] = i, ["generated"] = s.Prediction,
            ["truth"] = new JsonArray(s.Truth.X1, s.Truth.Y1, s.Truth.X2, s.Truth.Y2), ["width"] = s.Width, ["height"] = s.Height,
        }).ToArray());
        var scores = new JsonObject
        {
            ["accuracy"] = Result.Accuracy, ["correct"] = Result.Correct, ["total"] = Result.Total, ["malformed"] = Result.Malformed,
            ["shots"] = FewShot.Shots, ["shot_selection"] = FewShot.Selection.ToString().ToLowerInvariant(),
        };
        VqaEvaluation.Save(folder, "grounding_predictions.json", predictions);
        VqaEvaluation.Save(folder, "grounding_scores.json", scores);
    }
}
