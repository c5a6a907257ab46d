using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-grounding</c>: [image, "Where is the red 7? Box:" (prompt), " (x1,y1)(x2,y2)" (target)], the box in the
/// reference's 0–999 integers (<see cref="PixelBox.ToGroundingText"/>). The referred item is one whose colour and kind
/// no other item shares; a scene without one (rare with the default palette and kinds) is redrawn from a retry
/// stream. Metadata: <c>box</c> ([x1,y1,x2,y2] in pixels, x2/y2 exclusive), <c>image_size</c>, <c>answer</c> (the
/// box text), <c>cell</c>.
/// </summary>
public sealed class GridGroundingTask(GridTaskOptions options, IGridSceneSampler sampler) : GridTask("grounding", options, sampler)
{
    private const int MaxRetries = 64;

    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        for (int attempt = 0; attempt <= MaxRetries; attempt++)
        {
            var scene = attempt == 0 ? Scene(index) : Sampler.Sample(Random(index, Purpose.Retry, attempt));
            var unique = scene.Items.Where(i => scene.Items.Count(j => j.Color == i.Color && j.Kind.Name == i.Kind.Name) == 1).ToArray();
            if (unique.Length == 0) continue;
            var item = Random(index, Purpose.Text).Choose(unique);
            string question = $"Where is the {item.Color} {item.Kind.Noun}?";
            string box = item.Box.ToGroundingText(scene.ImageSize, scene.ImageSize);
            var meta = BaseMetadata(index, scene);
            meta["question"] = question;
            meta["answer"] = box;
            meta["box"] = item.Box.ToJson();
            meta["cell"] = GridText.CellKey(item);
            if (attempt > 0) meta["scene_retry"] = attempt.ToString(CultureInfo.InvariantCulture);
            return new([Image(scene), new TextSegment(question + " Box:", Target: false), new TextSegment(" " + box)], Id(index), meta);
        }
        throw new InvalidOperationException($"{Name}: document {index}: no scene in {MaxRetries + 1} draws had an item with a unique colour and kind; use more kinds or colours.");
    }
}
