namespace MMInterleaved.Evaluation;

/// <summary>What one evaluation of a task measured, whatever its metric: the scores by name (as `mmi eval` prints them) and
/// the official files behind them.</summary>
public interface ITaskEvaluation
{
    /// <summary>Scores by name: VQA accuracy in percent (<c>overall</c>, <c>question_type/…</c>, <c>answer_type/…</c>),
    /// caption metrics as the toolkit's fractions (<c>CIDEr</c>, <c>Bleu_4</c>, …), grounding accuracy in percent.</summary>
    IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Writes the predictions, references and scores in the official formats into <paramref name="folder"/>.</summary>
    void Write(string folder);
}
