namespace MMInterleaved.Evaluation;

/// <summary>One VQA prediction with what produced it.</summary>
/// <param name="QuestionId">Question id (the query's index in the evaluated list).</param>
/// <param name="Question">The question text.</param>
/// <param name="Answer">The extracted answer (scored).</param>
/// <param name="Generated">The raw generation.</param>
/// <param name="QuestionType">The question's type.</param>
public sealed record VqaPrediction(long QuestionId, string Question, string Answer, string Generated, string QuestionType);
