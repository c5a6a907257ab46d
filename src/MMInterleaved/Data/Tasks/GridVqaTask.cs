using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary><c>glyph-vqa</c>: [image, "Question: q Short answer:" (prompt), " a" (target)], with the question metadata
/// (<c>question</c>, <c>answer</c>, <c>answers</c>, <c>question_type</c>, <c>cell</c> …).</summary>
public sealed class GridVqaTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("vqa", options, sampler)
{
    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var scene = Scene(index);
        var q = GridText.Ask(scene, Sampler, Random(index, Purpose.Text), Options.Questions);
        var meta = BaseMetadata(index, scene);
        AddQuestion(meta, q);
        return new([Image(scene), new TextSegment(GridText.VqaPrompt(q.Text), Target: false), new TextSegment(" " + q.Answer)], Id(index), meta);
    }
}
