using System.Text.Json;
using System.Text.Json.Nodes;

namespace MMInterleaved.Evaluation;

/// <summary>A VQA evaluation: the predictions, the annotations they were scored against, the official scores and the
/// few-shot setting. <see cref="Write"/> saves them in the official file formats, so `mmi score vqa` re-scores them.</summary>
public sealed record VqaEvaluation(IReadOnlyList<VqaPrediction> Predictions, IReadOnlyList<VqaAnnotation> Annotations, VqaResult Result, FewShotOptions FewShot) : ITaskEvaluation
{
    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics =>
        new[] { ("overall", Result.Overall) }
            .Concat(Result.PerQuestionType.Select(kv => ("question_type/" + kv.Key, kv.Value)))
            .Concat(Result.PerAnswerType.Select(kv => ("answer_type/" + kv.Key, kv.Value)))
            .ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>Writes <c>vqa_questions.json</c>, <c>vqa_annotations.json</c> (VQA v2 formats), <c>vqa_predictions.json</c>
    /// (the results format, plus the raw generation) and <c>vqa_scores.json</c> into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var questions = new JsonObject
        {
            ["questions"] = new JsonArray(Predictions.Select(p => (JsonNode)new JsonObject
            {
                ["question_id"] = p.QuestionId, ["image_id"] = p.QuestionId, ["question"] = p.Question,
            }).ToArray()),
        };
        var annotations = new JsonObject
        {
            ["annotations"] = new JsonArray(Annotations.Select(a => (JsonNode)new JsonObject
            {
                ["question_id"] = a.QuestionId, ["image_id"] = a.ImageId, ["question_type"] = a.QuestionType, ["answer_type"] = a.AnswerType,
                ["answers"] = new JsonArray(a.Answers.Select((h, j) => (JsonNode)new JsonObject { ["answer"] = h.Answer, ["answer_confidence"] = "yes", ["answer_id"] = j + 1 }).ToArray()),
            }).ToArray()),
        };
        var predictions = new JsonArray(Predictions.Select(p => (JsonNode)new JsonObject
        {
            ["question_id"] = p.QuestionId, ["answer"] = p.Answer, ["generated"] = p.Generated,
        }).ToArray());
        var scores = new JsonObject
        {
            ["overall"] = Result.Overall,
            ["per_question_type"] = Object(Result.PerQuestionType),
            ["per_answer_type"] = Object(Result.PerAnswerType),
            ["questions"] = Predictions.Count,
            ["shots"] = FewShot.Shots,
            ["shot_selection"] = FewShot.Selection.ToString().ToLowerInvariant(),
        };
        Save(folder, "vqa_questions.json", questions);
        Save(folder, "vqa_annotations.json", annotations);
        Save(folder, "vqa_predictions.json", predictions);
        Save(folder, "vqa_scores.json", scores);
    }

    private static JsonObject Object(IReadOnlyDictionary<string, double> values) =>
        new(values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));

    internal static void Save(string folder, string name, JsonNode node)
    {
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, name), node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
