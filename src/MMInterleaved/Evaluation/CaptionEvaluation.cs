using System.Text.Json.Nodes;

namespace MMInterleaved.Evaluation;

/// <summary>A caption evaluation: generated captions, their references, the toolkit's scores and the few-shot setting.
/// <see cref="Write"/> saves them in the COCO formats, so `mmi score captions` re-scores them.</summary>
public sealed record CaptionEvaluation(IReadOnlyList<CaptionPrediction> Predictions, IReadOnlyDictionary<long, IReadOnlyList<string>> References,
    IReadOnlyDictionary<string, double> Scores, FewShotOptions FewShot) : ITaskEvaluation
{
    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics => Scores;

    /// <summary>Writes <c>caption_references.json</c> (COCO caption annotations), <c>caption_predictions.json</c> (COCO
    /// results) and <c>caption_scores.json</c> into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        long id = 0;
        var references = new JsonObject
        {
            ["images"] = new JsonArray(References.Keys.Select(k => (JsonNode)new JsonObject { ["id"] = k }).ToArray()),
            ["annotations"] = new JsonArray(References.SelectMany(kv => kv.Value.Select(c => (JsonNode)new JsonObject
            {
                ["image_id"] = kv.Key, ["id"] = ++id, ["caption"] = c,
            })).ToArray()),
        };
        var predictions = new JsonArray(Predictions.Select(p => (JsonNode)new JsonObject { ["image_id"] = p.ImageId, ["caption"] = p.Caption }).ToArray());
        var scores = new JsonObject(Scores.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)))
        {
            ["images"] = Predictions.Count,
            ["shots"] = FewShot.Shots,
            ["shot_selection"] = FewShot.Selection.ToString().ToLowerInvariant(),
        };
        VqaEvaluation.Save(folder, "caption_references.json", references);
        VqaEvaluation.Save(folder, "caption_predictions.json", predictions);
        VqaEvaluation.Save(folder, "caption_scores.json", scores);
    }
}
