using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-text-to-image</c>: [row caption, image]: the row-by-row detail caption of a scene ("row 1: red star, empty …"),
/// then the scene, whose image loss trains the image decoder (the caption is a text target too, as in the reference's
/// pre-training documents). Metadata <c>caption</c> holds the caption and <c>layout</c> the cells
/// (<see cref="Layout"/>), so a generated image can be read back cell by cell.
/// </summary>
public sealed class GridTextToImageTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("text-to-image", options, sampler)
{
    /// <summary>The metadata key of the cell layout.</summary>
    public const string LayoutKey = "layout";

    /// <summary>"r,c=colour kind" per filled cell (1-based), joined by "; ", in reading order.</summary>
    public static string Layout(IGridScene scene) => string.Join("; ", scene.Items.Select(i => $"{GridText.CellKey(i)}={i.Color} {i.Kind.Name}"));

    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var scene = Scene(index);
        string caption = GridText.RowCaption(scene);
        var meta = BaseMetadata(index, scene);
        meta["caption"] = caption;
        meta[LayoutKey] = Layout(scene);
        return new([new TextSegment(caption), Image(scene)], Id(index), meta);
    }
}
