namespace MMInterleaved.Evaluation;

/// <summary>
/// VQA accuracy as the official evaluation script computes it (<c>VQAEval.evaluate</c> in GT-Vision-Lab/VQA, the
/// version MM-Interleaved copies):
/// <list type="number">
/// <item>newlines and tabs in the prediction and in each human answer become spaces, and both are stripped;</item>
/// <item>only if the human answers of the question are not all identical, the prediction and every human answer are
/// normalised (<see cref="VqaNormalizer.Normalize"/>); otherwise they are compared as they are;</item>
/// <item>for each human answer, the <em>other</em> answers (by whole-record inequality, see
/// <see cref="VqaHumanAnswer.Identity"/>) equal to the prediction are counted, and min(1, count / 3) is taken; the
/// question's accuracy is the mean of these, i.e. the mean over the leave-one-out subsets;</item>
/// <item>reported numbers are <c>round(100 · accuracy, 2)</c> per question and <c>round(100 · Σ / n, 2)</c> for the
/// overall and per-type means, with Python's rounding (<see cref="PythonRounding"/>).</item>
/// </list>
/// </summary>
public static class VqaEvaluator
{
    /// <summary>
    /// Scores <paramref name="predictions"/> (question id → answer) against <paramref name="annotations"/>, in the
    /// annotations' order. Every annotated question needs a prediction and every prediction an annotation (the script's
    /// <c>loadRes</c> asserts the same). With <paramref name="extractAnswer"/>, MM-Interleaved's
    /// <see cref="VqaAnswerExtractor.Extract"/> is applied to each prediction first (it is off in the official script).
    /// </summary>
    public static VqaResult Evaluate(IReadOnlyList<VqaAnnotation> annotations, IReadOnlyDictionary<long, string> predictions, bool extractAnswer = false)
    {
        if (annotations.Count == 0) throw new ArgumentException("There are no annotated questions to score.", nameof(annotations));
        var annotated = new HashSet<long>();
        foreach (var annotation in annotations)
            if (!annotated.Add(annotation.QuestionId)) throw new ArgumentException($"Question id {annotation.QuestionId} is annotated twice.", nameof(annotations));
        foreach (long id in predictions.Keys)
            if (!annotated.Contains(id)) throw new ArgumentException($"There is a prediction for question id {id}, which is not annotated.", nameof(predictions));

        var accuracies = new List<double>(annotations.Count);
        var perQuestion = new Dictionary<long, double>();
        var byQuestionType = new Dictionary<string, List<double>>();
        var byAnswerType = new Dictionary<string, List<double>>();
        foreach (var annotation in annotations)
        {
            if (!predictions.TryGetValue(annotation.QuestionId, out var prediction))
                throw new ArgumentException($"Question id {annotation.QuestionId} has no prediction.", nameof(predictions));
            if (extractAnswer) prediction = VqaAnswerExtractor.Extract(prediction);
            double accuracy = QuestionAccuracy(annotation, prediction);
            accuracies.Add(accuracy);
            perQuestion[annotation.QuestionId] = PythonRounding.Round(100 * accuracy, 2);
            Group(byQuestionType, annotation.QuestionType).Add(accuracy);
            Group(byAnswerType, annotation.AnswerType).Add(accuracy);
        }
        return new VqaResult(
            Mean(accuracies),
            perQuestion,
            byQuestionType.ToDictionary(kv => kv.Key, kv => Mean(kv.Value)),
            byAnswerType.ToDictionary(kv => kv.Key, kv => Mean(kv.Value)));
    }

    /// <summary>
    /// The unrounded accuracy (0…1) of <paramref name="prediction"/> for one question: the mean over its human answers
    /// of min(1, matches among the other answers / 3), after the official cleaning and normalisation.
    /// </summary>
    public static double QuestionAccuracy(VqaAnnotation annotation, string prediction)
    {
        if (annotation.Answers.Count == 0) throw new ArgumentException($"Question id {annotation.QuestionId} has no human answers.", nameof(annotation));
        var answers = annotation.Answers.Select(a => Clean(a.Answer)).ToArray();
        string predicted = Clean(prediction);
        // The script normalises only when the humans disagree; unanimous answers are matched verbatim.
        if (answers.Distinct(StringComparer.Ordinal).Count() > 1)
        {
            for (int i = 0; i < answers.Length; i++) answers[i] = VqaNormalizer.Normalize(answers[i]);
            predicted = VqaNormalizer.Normalize(predicted);
        }

        double sum = 0;
        for (int i = 0; i < answers.Length; i++)
        {
            int matches = 0;
            for (int j = 0; j < answers.Length; j++)
            {
                bool sameRecord = answers[j] == answers[i] && annotation.Answers[j].Identity == annotation.Answers[i].Identity;
                if (!sameRecord && answers[j] == predicted) matches++;
            }
            sum += Math.Min(1.0, matches / 3.0);
        }
        return sum / answers.Length;
    }

    private static string Clean(string answer) => PythonText.Strip(answer.Replace('\n', ' ').Replace('\t', ' '));

    // round(100*float(sum(acc))/len(acc), 2): the multiplication comes before the division, and the sum is sequential.
    private static double Mean(List<double> values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return PythonRounding.Round(100 * sum / values.Count, 2);
    }

    private static List<double> Group(Dictionary<string, List<double>> groups, string key)
    {
        if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
        return list;
    }
}
