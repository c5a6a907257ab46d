using System.Globalization;
using System.Text.RegularExpressions;
using MMInterleaved.Data.Images;

namespace MMInterleaved.Data.Real;

/// <summary>
/// VQA in the official format (VQAv2, OK-VQA): questions <c>{"questions": [{"image_id", "question", "question_id"}]}</c>,
/// optional annotations <c>{"annotations": [{"question_id", "answers": [{"answer"}], "answer_type", "question_type",
/// "multiple_choice_answer"}]}</c> and an image folder → documents [image, "Question: q Short answer:" (prompt),
/// " answer" (target)] in the workbench's VQA prompt format (reference-spec §9). Metadata: <c>question_id</c>,
/// <c>image_id</c>, <c>question</c>, <c>answer</c> (multiple_choice_answer), <c>answers</c> (JSON array of the human
/// answers, for the VQA metric), <c>question_type</c>, <c>answer_type</c>. Without annotations (test sets) documents
/// end at the prompt.
/// </summary>
public static class VqaDataset
{
    private static readonly Regex Placeholder = new(@"\{image_id(?::([^}]*))?\}", RegexOptions.Compiled);

    /// <summary>The image file name for an id: <paramref name="pattern"/> with "{image_id}" or a formatted
    /// "{image_id:D12}" (a .NET number format; COCO's names are "COCO_val2014_{image_id:D12}.jpg").</summary>
    public static string FileName(string pattern, string imageId)
    {
        if (!Placeholder.IsMatch(pattern)) throw new ArgumentException($"VqaDataset: the file-name pattern '{pattern}' has no {{image_id}} placeholder.", nameof(pattern));
        return Placeholder.Replace(pattern, m =>
        {
            if (!m.Groups[1].Success) return imageId;
            if (!long.TryParse(imageId, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                throw new ArgumentException($"VqaDataset: image id '{imageId}' is not a number, so the format '{m.Groups[1].Value}' cannot apply.", nameof(imageId));
            return n.ToString(m.Groups[1].Value, CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Loads questions (and answers). Malformed input throws <see cref="DataFormatException"/> naming the file
    /// and field (e.g. "annotations[4].answers"); a question without an annotation, when annotations are given, too.</summary>
    public static ListDocumentSource Load(string questionsPath, string? annotationsPath, string imageFolder, string fileNamePattern,
        RealDataOptions? options = null, string name = "vqa")
    {
        options = (options ?? new RealDataOptions()).Validated();
        FileName(fileNamePattern, "0"); // fail early on a pattern without a placeholder
        var answers = annotationsPath is null ? null : ReadAnnotations(annotationsPath, options);
        using var json = JsonFields.Parse(questionsPath);
        var documents = new List<InterleavedDocument>();
        var present = new Dictionary<string, bool>();
        int i = 0;
        foreach (var q in JsonFields.Array(json.RootElement, "questions", "", questionsPath).EnumerateArray())
        {
            string where = $"questions[{i++}]";
            string imageId = JsonFields.IdText(q, "image_id", where, questionsPath);
            string question = JsonFields.String(q, "question", where, questionsPath).Trim();
            string questionId = JsonFields.IdText(q, "question_id", where, questionsPath);
            string file = FileName(fileNamePattern, imageId);
            string path = Path.GetFullPath(Path.Combine(imageFolder, file));
            if (!present.TryGetValue(path, out bool exists)) present[path] = exists = File.Exists(path);
            if (!exists)
            {
                if (options.SkipMissingImages) continue;
                throw new DataFormatException(questionsPath, null, $"{where}: the image of image_id {imageId}, \"{file}\", is not in {Path.GetFullPath(imageFolder)}.");
            }
            var meta = new Dictionary<string, string>
            {
                ["task"] = name, ["question_id"] = questionId, ["image_id"] = imageId, ["question"] = question,
            };
            var segments = new List<DocumentSegment>
            {
                new ImageSegment(() => ImageTensors.Load(path, options.Limits, options.ImageSize), path),
                new TextSegment($"Question: {question} Short answer:", Target: false),
            };
            if (answers is not null)
            {
                if (!answers.TryGetValue(questionId, out var a))
                    throw new DataFormatException(annotationsPath!, null, $"no annotation has question_id {questionId} (asked by {where} of {questionsPath}).");
                meta["answer"] = a.Answer;
                meta["answers"] = JsonText.Array(a.All);
                meta["question_type"] = a.QuestionType;
                meta["answer_type"] = a.AnswerType;
                segments.Add(new TextSegment(" " + a.Answer));
            }
            documents.Add(new InterleavedDocument(segments, questionId, meta));
        }
        return new ListDocumentSource(name, documents);
    }

    private sealed record Answers(string Answer, string[] All, string QuestionType, string AnswerType);

    private static Dictionary<string, Answers> ReadAnnotations(string path, RealDataOptions options)
    {
        using var json = JsonFields.Parse(path);
        var result = new Dictionary<string, Answers>();
        int i = 0;
        string Norm(string s) => options.Lowercase ? s.Trim().ToLowerInvariant() : s.Trim();
        foreach (var a in JsonFields.Array(json.RootElement, "annotations", "", path).EnumerateArray())
        {
            string where = $"annotations[{i++}]";
            string questionId = JsonFields.IdText(a, "question_id", where, path);
            int j = 0;
            var all = new List<string>();
            foreach (var answer in JsonFields.Array(a, "answers", where, path).EnumerateArray())
                all.Add(Norm(JsonFields.String(answer, "answer", $"{where}.answers[{j++}]", path)));
            if (all.Count == 0) throw new DataFormatException(path, null, $"{where}.answers is empty.");
            string best = Norm(JsonFields.String(a, "multiple_choice_answer", where, path));
            string questionType = JsonFields.String(a, "question_type", where, path);
            string answerType = JsonFields.String(a, "answer_type", where, path);
            if (!result.TryAdd(questionId, new Answers(best, [.. all], questionType, answerType)))
                throw new DataFormatException(path, null, $"{where}.question_id {questionId} appears twice.");
        }
        return result;
    }
}
