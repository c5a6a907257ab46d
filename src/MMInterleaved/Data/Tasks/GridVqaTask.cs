using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary><c>glyph-vqa</c>: [image, "Question: q Short answer:" (prompt), " a" (target)], with the question metadata
/// (<c>question</c>, <c>answer</c>, <c>answers</c>, <c>question_type</c>, <c>cell</c> …). With
/// <see cref="GridTaskOptions.QuestionsPerImage"/> above 1, further " Question: q Short answer:" / " a" pairs follow, and
/// the period closing each answer but the last is part of its target: the model learns to end an answer (with the
/// period, or with &lt;/s&gt; after the last), so a one-question evaluation prompt does not run on into the next answer
/// ("16 yes"). Before this (issue 17) the period sat in the next prompt, untrained, and late-training scores fell below
/// the text-only prior.</summary>
public sealed class GridVqaTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("vqa", options, sampler)
{
    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var scene = Scene(index);
        var q = GridText.Ask(scene, Sampler, Random(index, Purpose.Text), Options.Questions);
        var meta = BaseMetadata(index, scene);
        AddQuestion(meta, q);
        var segments = new List<DocumentSegment> { Image(scene), new TextSegment(GridText.VqaPrompt(q.Text), Target: false) };
        string answer = q.Answer;
        for (int n = 1; n < Options.QuestionsPerImage; n++)
        {
            var next = GridText.Ask(scene, Sampler, Random(index, Purpose.Text, n), Options.Questions);
            segments.Add(new TextSegment(" " + answer + "."));
            segments.Add(new TextSegment(" " + GridText.VqaPrompt(next.Text), Target: false));
            answer = next.Answer;
        }
        segments.Add(new TextSegment(" " + answer));
        return new(segments, Id(index), meta);
    }
}
