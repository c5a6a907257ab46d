using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary><c>glyph-caption</c>: [image, caption (target)]. Metadata <c>captions</c> holds the reference captions as a JSON
/// array (the five phrasings of <see cref="GridText.Captions"/>, or with <see cref="GridCaptionStyle.Rows"/> the one row
/// caption); <c>caption</c> is the one this document uses.</summary>
public sealed class GridCaptionTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("caption", options, sampler)
{
    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var scene = Scene(index);
        IReadOnlyList<string> captions = Options.CaptionStyle == GridCaptionStyle.Rows ? [GridText.RowCaption(scene)] : GridText.Captions(scene);
        string caption = Random(index, Purpose.Text).Choose(captions);
        var meta = BaseMetadata(index, scene);
        meta["caption"] = caption;
        meta["captions"] = JsonText.Array(captions);
        return new([Image(scene), new TextSegment(caption)], Id(index), meta);
    }
}
