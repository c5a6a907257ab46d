using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// The text the grid tasks write: questions, captions, grounding prompts. All lower case (except the fixed
/// "Question:"/"Where is" templates), American "color", numbers as digits (what VQA answer normalisation produces).
/// </summary>
public static class GridText
{
    /// <summary>The question types, in <see cref="VqaQuestionMix.Weights"/> order.</summary>
    public static IReadOnlyList<string> QuestionTypes { get; } = ["glyph_at_cell", "color_at_cell", "count", "compare", "count_colors", "dominant_color", "any_kind"];

    /// <summary>The coarse question types: about the whole scene, not a named cell.</summary>
    public static IReadOnlyList<string> CoarseQuestionTypes { get; } = ["count_colors", "dominant_color", "any_kind"];

    /// <summary>"a" or "an" before a word ("an orange", "an 8").</summary>
    public static string Article(string word) => word.Length > 0 && "aeiou8".Contains(char.ToLowerInvariant(word[0])) ? "an" : "a";

    /// <summary>"a red 7", "an orange letter e".</summary>
    public static string Describe(GridItem item) => $"{Article(item.Color)} {item.Color} {item.Kind.Noun}";

    /// <summary>"r,c" with 1-based row and column (the <c>cell</c> metadata value).</summary>
    public static string CellKey(GridItem item) => string.Create(CultureInfo.InvariantCulture, $"{item.Row + 1},{item.Column + 1}");

    /// <summary>"first" … "eighth".</summary>
    public static string Ordinal(int zeroBased) =>
        zeroBased is >= 0 and < 8 ? new[] { "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth" }[zeroBased]
            : throw new ArgumentOutOfRangeException(nameof(zeroBased), zeroBased, "Ordinals go up to eighth.");

    /// <summary>"Question: {q} Short answer:" (reference-spec §9, the VQA few-shot template without its answer).</summary>
    public static string VqaPrompt(string question) => $"Question: {question} Short answer:";

    /// <summary>
    /// A question drawn from <paramref name="random"/>: first its type by <paramref name="mix"/> (types that the scene
    /// cannot support get weight 0: compare needs two items), then its subject. Answers are re-derivable from
    /// <see cref="IGridScene.Items"/>.
    /// </summary>
    public static GridQuestion Ask(IGridScene scene, IGridSceneSampler sampler, SeededRandom random, VqaQuestionMix mix)
    {
        var items = scene.Items;
        double[] w = mix.Weights;
        if (items.Count < 2) w[3] = 0;
        if (w.Sum() <= 0) w[0] = 1;
        int side = scene.GridSide;
        string noun = scene.ItemNoun;
        var meta = new Dictionary<string, string>();
        switch (random.ChooseWeighted(w))
        {
            case 0:
            {
                var item = random.Choose(items);
                meta["cell"] = CellKey(item);
                return new($"what is in {GridCells.Phrase(side, item.Row, item.Column)}?", item.Kind.Name, QuestionTypes[0], meta);
            }
            case 1:
            {
                var item = random.Choose(items);
                meta["cell"] = CellKey(item);
                return new($"what color is the {noun} in {GridCells.Phrase(side, item.Row, item.Column)}?", item.Color, QuestionTypes[1], meta);
            }
            case 2:
            {
                bool byColor = random.NextBool();
                bool present = random.NextBool(0.8);
                if (byColor)
                {
                    string color = present ? random.Choose(items).Color : random.Choose(sampler.Colors);
                    meta["count_of"] = color;
                    return new($"how many {color} {noun}s are there?", Count(items.Count(i => i.Color == color)), QuestionTypes[2], meta);
                }
                var kind = present ? random.Choose(items).Kind : random.Choose(sampler.Kinds);
                meta["count_of"] = kind.Name;
                return new($"how many cells hold {Article(kind.Noun)} {kind.Noun}?", Count(items.Count(i => i.Kind.Name == kind.Name)), QuestionTypes[2], meta);
            }
            case 3:
            {
                bool byColor = random.NextBool();
                bool wantSame = random.NextBool();
                var a = random.Choose(items);
                bool Same(GridItem x, GridItem y) => byColor ? x.Color == y.Color : x.Kind.Name == y.Kind.Name;
                var others = items.Where(b => b != a).ToArray();
                var matching = others.Where(b => Same(a, b) == wantSame).ToArray();
                var b = random.Choose(matching.Length > 0 ? matching : others);
                meta["compare"] = byColor ? "color" : "kind";
                meta["cell"] = CellKey(a);
                meta["other_cell"] = CellKey(b);
                string what = byColor ? "color" : "kind";
                return new($"is the {noun} in {GridCells.Phrase(side, a.Row, a.Column)} the same {what} as the {noun} in {GridCells.Phrase(side, b.Row, b.Column)}?",
                    Same(a, b) ? "yes" : "no", QuestionTypes[3], meta);
            }
            case 4:
                // distinct colours, not items: a scene fills every cell by default, so an item count would be a constant
                return new("how many colors are there?", Count(items.Select(i => i.Color).Distinct().Count()), QuestionTypes[4], meta);
            case 5 when DominantColor(items) is { } color:
                return new($"which color do most {noun}s have?", color, QuestionTypes[5], meta);
            default:
            {
                // any_kind, and dominant_color's stand-in for a scene whose top colour is tied: present kinds as often as absent
                var absent = sampler.Kinds.Where(k => items.All(i => i.Kind.Name != k.Name)).ToList();
                bool present = items.Count > 0 && (random.NextBool() || absent.Count == 0);
                var kind = present ? random.Choose(items).Kind : random.Choose(absent);
                meta["kind"] = kind.Name;
                return new($"is there {Article(kind.Noun)} {kind.Noun}?", present ? "yes" : "no", QuestionTypes[6], meta);
            }
        }
    }

    // The colour more items have than any other, or null when two colours tie for most (or there are no items).
    private static string? DominantColor(IReadOnlyList<GridItem> items)
    {
        var counts = items.GroupBy(i => i.Color).Select(g => (Color: g.Key, N: g.Count())).OrderByDescending(c => c.N).ToList();
        return counts.Count == 0 || counts.Count > 1 && counts[1].N == counts[0].N ? null : counts[0].Color;
    }

    /// <summary>
    /// Reference captions of a scene (five, all describing every item): reading order and column order, each as
    /// "a red 7 top left, …" and "a red 7 in the top left cell, …", and "top left: a red 7; …".
    /// </summary>
    public static IReadOnlyList<string> Captions(IGridScene scene)
    {
        int side = scene.GridSide;
        var reading = scene.Items;
        var columns = scene.Items.OrderBy(i => i.Column).ThenBy(i => i.Row).ToArray();
        string Short(GridItem i) => $"{Describe(i)} {GridCells.Location(side, i.Row, i.Column)}";
        string Long(GridItem i) => $"{Describe(i)} in {GridCells.Phrase(side, i.Row, i.Column)}";
        return
        [
            string.Join(", ", reading.Select(Short)),
            string.Join(", ", reading.Select(Long)),
            string.Join(", ", columns.Select(Short)),
            string.Join(", ", columns.Select(Long)),
            string.Join("; ", reading.Select(i => $"{GridCells.Name(side, i.Row, i.Column)}: {Describe(i)}")),
        ];
    }

    /// <summary>The compact detail caption: each row's items left to right, "row 1: red seven, blue cross. row 2: …"
    /// (a row without items reads "row 3: empty"). Every filled cell is named by its row and its place in the row.</summary>
    public static string RowCaption(IGridScene scene) =>
        string.Join(". ", Enumerable.Range(0, scene.GridSide).Select(row =>
        {
            var items = scene.Items.Where(i => i.Row == row).OrderBy(i => i.Column).Select(i => $"{i.Color} {i.Kind.Noun}").ToList();
            return $"row {Count(row + 1)}: " + (items.Count == 0 ? "empty" : string.Join(", ", items));
        }));

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
