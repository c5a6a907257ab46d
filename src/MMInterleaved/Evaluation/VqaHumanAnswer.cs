namespace MMInterleaved.Evaluation;

/// <summary>
/// One human answer of a VQA annotation (<c>{"answer", "answer_confidence", "answer_id"}</c>).
/// </summary>
/// <param name="Answer">The answer text as annotated.</param>
/// <param name="Identity">
/// The record's other fields in a canonical text form (e.g. <c>answer_confidence="yes";answer_id=3</c>). The official
/// script leaves out "the answer being scored" by dictionary inequality over the whole record, so two records with
/// the same normalised answer are still different answers when their ids differ, and identical records count as one.
/// </param>
public sealed record VqaHumanAnswer(string Answer, string Identity = "");
