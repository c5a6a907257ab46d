namespace MMInterleaved.Evaluation;

/// <summary>
/// Asked × drawn colours over the filled cells of generated grid scenes, and whether the drawn colour depends on the caption
/// at all. A young decoder can follow its captions in a structured but wrong way (every "orange" drawn red): accuracy is near
/// chance, yet the colours carry the caption. The mutual information between asked and read colour measures that; its
/// permutation test asks whether it exceeds what images that ignore their captions give: the prompts' layouts are shuffled
/// among the images (whole prompts, so cells of one image stay together and the null is exact for any grid) and each image
/// re-read at its new layout's cells.
/// </summary>
public sealed class CellColorConfusion
{
    private readonly IReadOnlyList<CellLayout> layouts;
    private readonly Func<int, int, string[]> read;
    private readonly string[] names;

    /// <param name="layouts">Each prompt's layout.</param>
    /// <param name="read">The colours image i shows at the cells of prompt j's layout, in its order.</param>
    /// <param name="palette">The colour names (rows and columns of <see cref="Counts"/>).</param>
    public CellColorConfusion(IReadOnlyList<CellLayout> layouts, Func<int, int, string[]> read, IReadOnlyList<string> palette)
    {
        this.layouts = layouts;
        this.read = read;
        names = palette.ToArray();
        Counts = Tally(Enumerable.Range(0, layouts.Count).ToArray());
        MutualInformationBits = MutualInformation(Counts);
    }

    /// <summary>The colour names, in the order of <see cref="Counts"/>' rows (asked) and columns (read).</summary>
    public IReadOnlyList<string> Colors => names;

    /// <summary>Cells asked for colour r and read as colour c.</summary>
    public int[,] Counts { get; }

    /// <summary>Plug-in mutual information (bits) between asked and read colour over all filled cells; 0 when every
    /// reading is independent of the caption.</summary>
    public double MutualInformationBits { get; }

    /// <summary>One-sided permutation p-value of <see cref="MutualInformationBits"/> under "the images ignore their prompts":
    /// (1 + #{shuffles with MI ≥ observed}) / (1 + <paramref name="shuffles"/>).</summary>
    public double DependenceP(int shuffles = 999, int seed = 0)
    {
        var random = new Random(seed);
        int n = layouts.Count, atLeast = 0;
        var order = Enumerable.Range(0, n).ToArray();
        for (int s = 0; s < shuffles; s++)
        {
            random.Shuffle(order);
            if (MutualInformation(Tally(order)) >= MutualInformationBits - 1e-12) atLeast++;
        }
        return (1.0 + atLeast) / (1.0 + shuffles);
    }

    // asked colours of layout order[i] against image i read at that layout's cells
    private int[,] Tally(int[] order)
    {
        var counts = new int[names.Length, names.Length];
        for (int i = 0; i < order.Length; i++)
        {
            var layout = layouts[order[i]];
            var drawn = read(i, order[i]);
            for (int k = 0; k < layout.Cells.Count; k++)
            {
                int asked = Array.IndexOf(names, layout.Cells[k].Color), got = Array.IndexOf(names, drawn[k]);
                if (asked >= 0 && got >= 0) counts[asked, got]++;
            }
        }
        return counts;
    }

    private static double MutualInformation(int[,] counts)
    {
        int rows = counts.GetLength(0), columns = counts.GetLength(1);
        double total = 0;
        var rowSums = new double[rows];
        var columnSums = new double[columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                rowSums[r] += counts[r, c];
                columnSums[c] += counts[r, c];
                total += counts[r, c];
            }
        if (total == 0) return 0;
        double mi = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                if (counts[r, c] > 0)
                    mi += counts[r, c] / total * Math.Log2(counts[r, c] * total / (rowSums[r] * columnSums[c]));
        return Math.Max(0, mi);
    }
}
