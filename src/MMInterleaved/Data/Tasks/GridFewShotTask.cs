using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-fewshot</c>: k solved shots, each [image, "Question: q Short answer: a"] (prompt, no loss), then the
/// query [image, "Question: q Short answer:" (prompt), " a" (target)] — reference-spec §9: shot images before the
/// query image, VQA template. Shots are fresh scenes of the same split. Metadata: <c>shots</c> = k and the query's
/// question fields.
/// </summary>
public sealed class GridFewShotTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("fewshot", options, sampler)
{
    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var segments = new List<DocumentSegment>();
        for (int s = 0; s < Options.Shots; s++)
        {
            var shotScene = Sampler.Sample(Random(index, Purpose.ShotScene, s));
            var shot = GridText.Ask(shotScene, Sampler, Random(index, Purpose.ShotText, s), Options.Questions);
            segments.Add(Image(shotScene));
            segments.Add(new TextSegment($"{GridText.VqaPrompt(shot.Text)} {shot.Answer}", Target: false));
        }
        var scene = Scene(index);
        var q = GridText.Ask(scene, Sampler, Random(index, Purpose.Text), Options.Questions);
        segments.Add(Image(scene));
        segments.Add(new TextSegment(GridText.VqaPrompt(q.Text), Target: false));
        segments.Add(new TextSegment(" " + q.Answer));
        var meta = BaseMetadata(index, scene);
        AddQuestion(meta, q);
        meta["shots"] = Options.Shots.ToString(CultureInfo.InvariantCulture);
        return new(segments, Id(index), meta);
    }
}
