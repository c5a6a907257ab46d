using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Real;

/// <summary>
/// Samples <see cref="FashionGridScene"/>s (task names "fashion-…"; class names are the "glyph kinds", text calls
/// items "item"). Items come from a range of dataset indices; <see cref="ForSplit"/> makes the splits use disjoint
/// images: train = the training set without its last twelfth, validation = that last twelfth (5000 of 60000),
/// test = the test set.
/// </summary>
public sealed class FashionGridSampler : IGridSceneSampler
{
    private static readonly GridKind[] KindTable = FashionMnist.ClassNames.Select(n => new GridKind(n, n, "fashion")).ToArray();

    /// <summary>A sampler over items [start, start+count) of <paramref name="data"/>.</summary>
    public FashionGridSampler(FashionMnist data, int start, int count, GlyphSceneOptions? options = null)
    {
        if (start < 0 || count <= 0 || start + count > data.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"FashionGridSampler: items [{start}, {start + count}) are not within the {data.Count} of the data.");
        (Data, Start, ItemCount) = (data, start, count);
        Options = (options ?? new GlyphSceneOptions()).Validated();
    }

    /// <summary>The split's sampler: <paramref name="train"/> is the training set, <paramref name="test"/> the test
    /// set (only the one the split uses is read, the other may be null).</summary>
    public static FashionGridSampler ForSplit(DataSplit split, FashionMnist? train, FashionMnist? test, GlyphSceneOptions? options = null)
    {
        if (split == DataSplit.Test)
            return new FashionGridSampler(test ?? throw new ArgumentNullException(nameof(test)), 0, test.Count, options);
        var t = train ?? throw new ArgumentNullException(nameof(train));
        int validation = Math.Max(1, t.Count / 12);
        if (t.Count < 2) throw new ArgumentException($"FashionGridSampler: the training set has {t.Count} items; splitting it needs at least 2.", nameof(train));
        return split == DataSplit.Train
            ? new FashionGridSampler(t, 0, t.Count - validation, options)
            : new FashionGridSampler(t, t.Count - validation, validation, options);
    }

    /// <summary>The dataset.</summary>
    public FashionMnist Data { get; }

    /// <summary>First dataset index used.</summary>
    public int Start { get; }

    /// <summary>Number of dataset items used.</summary>
    public int ItemCount { get; }

    /// <summary>The scene options (<see cref="GlyphSceneOptions.Kinds"/> and StrokeWidth do not apply).</summary>
    public GlyphSceneOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "fashion";

    /// <inheritdoc/>
    public string ItemNoun => "item";

    /// <inheritdoc/>
    public IReadOnlyList<GridKind> Kinds => KindTable;

    /// <inheritdoc/>
    public IReadOnlyList<string> Colors => GlyphPalette.Colors.Take(Options.ColorCount).Select(c => c.Name).ToArray();

    /// <summary>The kind of a label.</summary>
    public static GridKind KindOf(int label) => KindTable[label];

    /// <inheritdoc/>
    public IGridScene Sample(SeededRandom random)
    {
        var o = Options;
        var colors = GlyphPalette.Colors.Take(o.ColorCount).ToArray();
        bool[] filled = SceneLayout.FilledCells(o, random);
        var placed = new List<FashionGridItem>();
        for (int cell = 0; cell < filled.Length; cell++)
        {
            if (!filled[cell]) continue;
            int row = cell / o.GridSide, column = cell % o.GridSide;
            int index = Start + random.NextInt(ItemCount);
            var color = random.Choose(colors);
            var (cx, cy, side) = SceneLayout.Place(o, random, row, column, 1f);
            var box = FashionGridScene.BoxOf(Data.Image(index), Data.Rows, Data.Columns, cx, cy, side)
                ?? PixelBox.Covering(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2); // a blank item: its square
            placed.Add(new FashionGridItem(row, column, index, Data.Labels[index], color, cx, cy, side, box.ClampTo(o.ImageSize, o.ImageSize)));
        }
        return new FashionGridScene(Data, o, placed, random.NextUInt64());
    }
}
