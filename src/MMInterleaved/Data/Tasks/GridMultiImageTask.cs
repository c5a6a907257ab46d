using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-multi-image</c>: n images (MinImages…MaxImages) in a row, then "Question: in the first picture, what is in
/// the top left cell? Short answer:" (prompt) and the answer (target). The question is about an image before the
/// last one, so the answer needs a detail of an earlier image. Metadata: <c>images</c> = n, <c>image_index</c>
/// (0-based) and <c>image_ordinal</c> ("first") of the image asked about, and the question fields.
/// </summary>
public sealed class GridMultiImageTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("multi-image", options, sampler)
{
    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var random = Random(index, Purpose.Text);
        int n = random.NextInt(Options.MinImages, Options.MaxImages + 1);
        int target = random.NextInt(n - 1);
        var scenes = Enumerable.Range(0, n).Select(i => Scene(index, i)).ToArray();
        var q = GridText.Ask(scenes[target], Sampler, random, Options.Questions);
        string question = $"in the {GridText.Ordinal(target)} picture, {q.Text}";
        var segments = new List<DocumentSegment>(scenes.Select(Image))
        {
            new TextSegment(GridText.VqaPrompt(question), Target: false),
            new TextSegment(" " + q.Answer),
        };
        var meta = BaseMetadata(index, scenes[0]);
        AddQuestion(meta, q, question);
        meta["images"] = n.ToString(CultureInfo.InvariantCulture);
        meta["image_index"] = target.ToString(CultureInfo.InvariantCulture);
        meta["image_ordinal"] = GridText.Ordinal(target);
        return new(segments, Id(index), meta);
    }
}
