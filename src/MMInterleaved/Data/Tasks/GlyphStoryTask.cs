using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// <c>glyph-story</c>: a story of MinFrames…MaxFrames frames of one glyph scene, [row caption of frame 1, frame 1,
/// change, frame 2, change, …, frame F], where each change sentence says what differs from the frame before: a glyph
/// turns another colour, moves to an empty cell, appears in one, or disappears (whichever the scene allows; a one-glyph
/// scene can only change colour). Everything else persists: the other glyphs keep their exact place, and the background
/// is the same texture (one render seed), so a frame is its predecessor plus the change the text names, the structure of
/// visual storytelling (VIST, Pororo, Flintstones) in the paper's Table 5. Every frame is an image target.
/// Metadata: <c>caption</c> (frame 1), <c>layout</c> of the last frame (as text-to-image, so the last frame scores as
/// a text-to-image target), <c>frames</c>, <c>frame_layouts</c> and <c>changes</c> (JSON arrays, one per frame and per
/// transition) and <c>changed_cells</c> per transition (JSON array of "r,c;r,c": the cells whose content the change
/// touched, 1-based). Procedural glyph scenes only (the edits act on placed glyphs).
/// </summary>
public sealed class GlyphStoryTask : GridTask
{
    /// <summary>The metadata key of the per-frame layouts.</summary>
    public const string FrameLayoutsKey = "frame_layouts";

    /// <summary>The metadata key of the cells each transition changed.</summary>
    public const string ChangedCellsKey = "changed_cells";

    private readonly GlyphSceneSampler glyphs;

    /// <summary>A story task over <paramref name="sampler"/>'s scenes (it must be a <see cref="GlyphSceneSampler"/>).</summary>
    public GlyphStoryTask(GridTaskOptions options, IGridSceneSampler sampler) : base("story", options, sampler)
    {
        glyphs = sampler as GlyphSceneSampler ?? throw new ArgumentException(
            $"GridTasks: the story task edits procedural glyph scenes; '{sampler.Name}' scenes cannot be told as a story (use glyph-story).", nameof(sampler));
    }

    /// <summary>The frames of document <paramref name="index"/> and the sentence and changed cells (0-based) of each
    /// transition.</summary>
    public (IReadOnlyList<GlyphScene> Frames, IReadOnlyList<(string Text, IReadOnlyList<(int Row, int Column)> Cells)> Changes) Story(long index)
    {
        var random = Random(index, Purpose.Text);
        int count = random.NextInt(Options.MinFrames, Options.MaxFrames + 1);
        var first = (GlyphScene)Scene(index);
        var frames = new List<GlyphScene> { first };
        var changes = new List<(string, IReadOnlyList<(int, int)>)>();
        for (int f = 1; f < count; f++)
        {
            var (next, text, cells) = Change(frames[^1], random);
            frames.Add(next);
            changes.Add((text, cells));
        }
        return (frames, changes);
    }

    /// <inheritdoc/>
    protected override InterleavedDocument Build(long index)
    {
        var (frames, changes) = Story(index);
        string caption = GridText.RowCaption(frames[0]);
        var segments = new List<DocumentSegment> { new TextSegment(caption + "."), Image(frames[0]) };
        for (int f = 1; f < frames.Count; f++)
        {
            segments.Add(new TextSegment(" " + changes[f - 1].Text));
            segments.Add(Image(frames[f]));
        }
        var meta = BaseMetadata(index, frames[0]);
        meta["caption"] = caption;
        meta[GridTextToImageTask.LayoutKey] = GridTextToImageTask.Layout(frames[^1]);
        meta["frames"] = frames.Count.ToString(CultureInfo.InvariantCulture);
        meta[FrameLayoutsKey] = JsonText.Array(frames.Select(GridTextToImageTask.Layout));
        meta["changes"] = JsonText.Array(changes.Select(c => c.Text));
        meta[ChangedCellsKey] = JsonText.Array(changes.Select(c => string.Join(";", c.Cells.Select(p => $"{p.Row + 1},{p.Column + 1}"))));
        return new(segments, Id(index), meta);
    }

    // One edit of the frame, drawn from the kinds the frame allows (move and appear need an empty cell, disappear a
    // second glyph so that a frame is never empty, recolour always works).
    private (GlyphScene Next, string Text, IReadOnlyList<(int, int)> Cells) Change(GlyphScene frame, SeededRandom random)
    {
        var options = glyphs.Options;
        var placed = frame.Glyphs.ToList();
        var empty = Enumerable.Range(0, options.GridSide * options.GridSide)
            .Select(c => (Row: c / options.GridSide, Column: c % options.GridSide))
            .Where(c => !placed.Any(g => g.Row == c.Row && g.Column == c.Column)).ToList();
        var edits = new List<string> { "recolour" };
        if (empty.Count > 0 && placed.Count > 0) edits.Add("move");
        if (empty.Count > 0) edits.Add("appear");
        if (placed.Count > 1) edits.Add("disappear");
        if (placed.Count == 0) edits.Remove("recolour");
        var colors = GlyphPalette.Colors.Take(options.ColorCount).ToArray();
        string edit = random.Choose(edits);
        static string At(int row, int column) => $"row {row + 1}, column {column + 1}";
        string Name(PlacedGlyph g) => $"the {g.Color.Name} {GlyphShapes.Describe(g.Kind).Noun} in {At(g.Row, g.Column)}";
        switch (edit)
        {
            case "recolour":
            {
                int i = random.NextInt(placed.Count);
                var g = placed[i];
                var color = random.Choose(colors.Where(c => c.Name != g.Color.Name).ToArray());
                placed[i] = g with { Color = color };
                return (frame.With(placed), $"{Capital(Name(g))} turns {color.Name}.", [(g.Row, g.Column)]);
            }
            case "move":
            {
                int i = random.NextInt(placed.Count);
                var g = placed[i];
                var (row, column) = random.Choose(empty);
                placed[i] = Place(g.Kind, g.Color, row, column, random);
                return (frame.With(placed), $"{Capital(Name(g))} moves to {At(row, column)}.", [(g.Row, g.Column), (row, column)]);
            }
            case "appear":
            {
                var (row, column) = random.Choose(empty);
                var kind = random.Choose(GlyphShapes.KindsOf(options.Kinds));
                var color = random.Choose(colors);
                placed.Add(Place(kind, color, row, column, random));
                var noun = GlyphShapes.Describe(kind).Noun;
                return (frame.With(placed), $"{Capital(GridText.Article(color.Name))} {color.Name} {noun} appears in {At(row, column)}.", [(row, column)]);
            }
            default:
            {
                int i = random.NextInt(placed.Count);
                var g = placed[i];
                placed.RemoveAt(i);
                return (frame.With(placed), $"{Capital(Name(g))} disappears.", [(g.Row, g.Column)]);
            }
        }
    }

    private PlacedGlyph Place(GlyphKind kind, GlyphColor color, int row, int column, SeededRandom random)
    {
        var options = glyphs.Options;
        var (cx, cy, h) = SceneLayout.Place(options, random, row, column, GlyphShapes.Aspect(kind));
        var box = GlyphShapes.Box(kind, cx, cy, h, options.StrokeWidth).ClampTo(options.ImageSize, options.ImageSize);
        return new PlacedGlyph(row, column, kind, color, cx, cy, h, box);
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
