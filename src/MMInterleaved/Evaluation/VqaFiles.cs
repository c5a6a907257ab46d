using System.Globalization;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Readers for the official VQA v2 files. Problems throw <see cref="DataFormatException"/> whose message starts with
/// the file at fault and says what is wrong.
/// <list type="bullet">
/// <item>questions: <c>{"questions": [{"question_id", "image_id", "question"}]}</c> (other top-level fields such as
/// "info" are ignored);</item>
/// <item>annotations: <c>{"annotations": [{"question_id", "image_id", "question_type", "answer_type",
/// "multiple_choice_answer", "answers": [{"answer", "answer_confidence", "answer_id"}]}]}</c> (at least one answer
/// per question; "multiple_choice_answer", "answer_confidence" and "answer_id" may be absent);</item>
/// <item>results: <c>[{"question_id", "answer"}]</c>, one answer per annotated question.</item>
/// </list>
/// </summary>
public static class VqaFiles
{
    /// <summary>Reads a questions file: question id → question text, in file order.</summary>
    public static IReadOnlyDictionary<long, string> ReadQuestions(string path)
    {
        using var document = JsonFields.Parse(path);
        var root = JsonFields.Root(document, JsonValueKind.Object, path, "an object with a \"questions\" array");
        var questions = new Dictionary<long, string>();
        int i = 0;
        foreach (var question in JsonFields.Array(root, "questions", "", path).EnumerateArray())
        {
            string where = $"questions[{i++}]";
            long id = JsonFields.IntegerId(question, "question_id", where, path);
            JsonFields.IntegerId(question, "image_id", where, path);
            string text = JsonFields.String(question, "question", where, path);
            if (!questions.TryAdd(id, text)) throw JsonFields.Fail(path, $"{where}.question_id {id} appears twice.");
        }
        return questions;
    }

    /// <summary>Reads an annotations file, in file order.</summary>
    public static IReadOnlyList<VqaAnnotation> ReadAnnotations(string path)
    {
        using var document = JsonFields.Parse(path);
        var root = JsonFields.Root(document, JsonValueKind.Object, path, "an object with an \"annotations\" array");
        var annotations = new List<VqaAnnotation>();
        var seen = new HashSet<long>();
        int i = 0;
        foreach (var item in JsonFields.Array(root, "annotations", "", path).EnumerateArray())
        {
            string where = $"annotations[{i++}]";
            long questionId = JsonFields.IntegerId(item, "question_id", where, path);
            long imageId = JsonFields.IntegerId(item, "image_id", where, path);
            string questionType = JsonFields.String(item, "question_type", where, path);
            string answerType = JsonFields.String(item, "answer_type", where, path);
            string? multipleChoice = item.TryGetProperty("multiple_choice_answer", out _)
                ? JsonFields.String(item, "multiple_choice_answer", where, path) : null;
            var answers = new List<VqaHumanAnswer>();
            int k = 0;
            foreach (var answer in JsonFields.Array(item, "answers", where, path).EnumerateArray())
            {
                string answerWhere = $"{where}.answers[{k++}]";
                answers.Add(new VqaHumanAnswer(JsonFields.String(answer, "answer", answerWhere, path), Identity(answer)));
            }
            if (answers.Count == 0) throw JsonFields.Fail(path, $"{where}.answers is empty: question_id {questionId} needs at least one human answer.");
            if (!seen.Add(questionId)) throw JsonFields.Fail(path, $"{where}.question_id {questionId} appears twice.");
            annotations.Add(new VqaAnnotation(questionId, imageId, questionType, answerType, answers, multipleChoice));
        }
        if (annotations.Count == 0) throw JsonFields.Fail(path, "\"annotations\" is empty: there is nothing to score.");
        return annotations;
    }

    /// <summary>Reads a results file: question id → predicted answer, in file order.</summary>
    public static IReadOnlyDictionary<long, string> ReadPredictions(string path)
    {
        using var document = JsonFields.Parse(path);
        var root = JsonFields.Root(document, JsonValueKind.Array, path, "an array of {\"question_id\", \"answer\"} objects");
        var predictions = new Dictionary<long, string>();
        int i = 0;
        foreach (var item in root.EnumerateArray())
        {
            string where = $"[{i++}]";
            long id = JsonFields.IntegerId(item, "question_id", where, path);
            string answer = JsonFields.String(item, "answer", where, path);
            if (!predictions.TryAdd(id, answer)) throw JsonFields.Fail(path, $"{where}: question_id {id} is answered twice.");
        }
        return predictions;
    }

    /// <summary>
    /// Reads the three files and checks that they fit together: every annotated question is in the questions file,
    /// and the results answer exactly the annotated questions.
    /// </summary>
    public static (IReadOnlyList<VqaAnnotation> Annotations, IReadOnlyDictionary<long, string> Predictions) Load(
        string questionsPath, string annotationsPath, string predictionsPath)
    {
        var questions = ReadQuestions(questionsPath);
        var annotations = ReadAnnotations(annotationsPath);
        var predictions = ReadPredictions(predictionsPath);
        var annotated = new HashSet<long>();
        for (int i = 0; i < annotations.Count; i++)
        {
            long id = annotations[i].QuestionId;
            annotated.Add(id);
            if (!questions.ContainsKey(id))
                throw JsonFields.Fail(annotationsPath, $"annotations[{i}].question_id {id} is not a question of {questionsPath}.");
            if (!predictions.ContainsKey(id))
                throw JsonFields.Fail(predictionsPath, $"question_id {id} (annotated in {annotationsPath}) has no answer.");
        }
        foreach (long id in predictions.Keys)
            if (!annotated.Contains(id))
                throw JsonFields.Fail(predictionsPath, $"question_id {id} is answered but has no annotation in {annotationsPath}.");
        return (annotations, predictions);
    }

    /// <summary>Reads the three files and scores them (<see cref="VqaEvaluator.Evaluate"/>).</summary>
    public static VqaResult Evaluate(string questionsPath, string annotationsPath, string predictionsPath, bool extractAnswer = false)
    {
        var (annotations, predictions) = Load(questionsPath, annotationsPath, predictionsPath);
        return VqaEvaluator.Evaluate(annotations, predictions, extractAnswer);
    }

    // The record's fields other than "answer", sorted, numbers compared by value (Python: 3 == 3.0).
    private static string Identity(JsonElement answer)
    {
        var text = new StringBuilder();
        foreach (var property in answer.EnumerateObject().Where(p => p.Name != "answer").OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var value = property.Value;
            string canonical = value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetDouble(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.String => JsonSerializer.Serialize(value.GetString()),
                _ => value.GetRawText(),
            };
            text.Append(property.Name).Append('=').Append(canonical).Append(';');
        }
        return text.ToString();
    }
}
