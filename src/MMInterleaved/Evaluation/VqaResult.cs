namespace MMInterleaved.Evaluation;

/// <summary>
/// VQA accuracies in percent, rounded to 2 decimals with Python's <c>round</c> (<see cref="PythonRounding"/>), as the
/// official script reports them. Dictionaries keep the order in which questions and types first appear in the
/// annotations.
/// </summary>
/// <param name="Overall">Mean accuracy over all questions (<c>accuracy['overall']</c>).</param>
/// <param name="PerQuestion">Accuracy of each question (<c>evalQA</c>).</param>
/// <param name="PerQuestionType">Mean accuracy per question type (<c>accuracy['perQuestionType']</c>).</param>
/// <param name="PerAnswerType">Mean accuracy per answer type (<c>accuracy['perAnswerType']</c>).</param>
public sealed record VqaResult(
    double Overall,
    IReadOnlyDictionary<long, double> PerQuestion,
    IReadOnlyDictionary<string, double> PerQuestionType,
    IReadOnlyDictionary<string, double> PerAnswerType);
