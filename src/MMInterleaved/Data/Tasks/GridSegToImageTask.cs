using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-seg-to-image</c>: [segmentation map, caption, scene], as the reference formats ADE20K for generation
/// (<c>{map}{caption}.{image}</c>): the map (<see cref="SegmentationMap"/>) paints each item's pixels with its kind's
/// class colour, the caption is the row caption (it names the colours, which the map does not hold), and the scene
/// with the same layout is the image decoder's target; the map, first in its document, gets no image loss. Pixel-level
/// alignment with the map is what the task asks for, so position and size, not only the cell, must come through.
/// Metadata: <c>caption</c>, <c>layout</c> (as text-to-image) and <c>classes</c>, the class names from 1 in order
/// ("background" is class 0).
/// </summary>
public sealed class GridSegToImageTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("seg-to-image", options, sampler)
{
    /// <summary>The metadata key of the class names.</summary>
    public const string ClassesKey = "classes";

    /// <summary>The map of document <paramref name="index"/>'s scene as a class mask (row-major ImageSize²).</summary>
    public int[] ClassMask(long index) => SegmentationMap.ClassMask(Scene(index), Sampler.Kinds);

    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var scene = Scene(index);
        var kinds = Sampler.Kinds;
        string caption = GridText.RowCaption(scene);
        var meta = BaseMetadata(index, scene);
        meta["caption"] = caption;
        meta[GridTextToImageTask.LayoutKey] = GridTextToImageTask.Layout(scene);
        meta[ClassesKey] = string.Join(",", kinds.Select(k => k.Name));
        meta["class_count"] = (kinds.Count + 1).ToString(CultureInfo.InvariantCulture);
        var map = new ImageSegment(() => SegmentationMap.Render(SegmentationMap.ClassMask(scene, kinds), scene.ImageSize));
        return new([map, new TextSegment(caption + "."), Image(scene)], Id(index), meta);
    }
}
