namespace MMInterleaved.Evaluation;

/// <summary>One annotated VQA question: its types and the human answers (ten in VQA v2; any number ≥ 1 is scored).</summary>
/// <param name="QuestionId">The question id.</param>
/// <param name="ImageId">The image id.</param>
/// <param name="QuestionType">The <c>question_type</c> ("what color", "how many", …), for the per-type breakdown.</param>
/// <param name="AnswerType">The <c>answer_type</c> ("yes/no", "number", "other"), for the per-type breakdown.</param>
/// <param name="Answers">The human answers.</param>
/// <param name="MultipleChoiceAnswer">The <c>multiple_choice_answer</c> (most common answer), when present; not scored.</param>
public sealed record VqaAnnotation(
    long QuestionId, long ImageId, string QuestionType, string AnswerType, IReadOnlyList<VqaHumanAnswer> Answers,
    string? MultipleChoiceAnswer = null);
