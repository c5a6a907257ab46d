using System.Globalization;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Mmfs;
using MMInterleaved.Pipeline;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation.Attention;

/// <summary>
/// Does a trained model's MMFS look where the question points (issue 17, item 7)? For held-out questions about a named
/// cell, every deformable MMFS layer's sampling points and weights at the token that produces the answer are binned by the
/// grid cell each point falls in. The asked cell's share is compared with the share the same cell gets when another cell
/// is asked (a position-matched control: MMFS's reference point is the image centre for every token, so central cells get
/// more mass whatever is asked) and with the share its area would get.
/// </summary>
public static class CellAttention
{
    /// <summary>One score per deformable MMFS layer of <paramref name="pipeline"/>'s decoder, in decoder order.</summary>
    public static IReadOnlyList<CellAttentionScore> Measure(MMInterleavedPipeline pipeline, CellAttentionOptions? options = null)
    {
        options = (options ?? new CellAttentionOptions()).Validated();
        int side = options.GridSide;
        var scene = new GlyphSceneOptions(ImageSize: pipeline.Config.Vision.ImageSize, GridSide: side);
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(options.Seed, options.Split, scene) { Questions = new VqaQuestionMix(1, 1, 0, 0) });
        var asked = new List<int>();
        var perLayer = new List<List<(double[,] Mass, double[] Null)>>();
        for (int i = 0; i < options.Questions; i++)
        {
            var document = task.Get(i);
            asked.Add(AskedCell(document.Meta("cell"), side));
            int last = pipeline.Processor.Prompt(document, dropTrailingTargetText: true).Ids.Length - 1;
            var layers = pipeline.SamplingPoints(document, [last], dropTrailingTargetText: true);
            for (int l = 0; l < layers.Count; l++)
            {
                if (perLayer.Count <= l) perLayer.Add([]);
                using var scope = NewDisposeScope();
                var s = layers[l];
                perLayer[l].Add((CellMass(s.Locations![0, 0, TensorIndex.Colon, 0], s.Weights![0, 0, TensorIndex.Colon, 0], side),
                    s.NullWeight![0, 0].to(float64).data<double>().ToArray()));
                s.Output.Dispose(); s.Locations.Dispose(); s.Weights.Dispose(); s.NullWeight.Dispose();
            }
        }
        return [.. perLayer.Select((records, l) => Summarise(l, asked, records, side))];
    }

    /// <summary>
    /// Attention mass per head by where its points fall: <paramref name="locations"/> [M,Lv,P,2] (x, y in [0,1] image
    /// coordinates) and <paramref name="weights"/> [M,Lv,P] → [M, side² + 1], cells in reading order (row-major), the last
    /// column for points outside the image.
    /// </summary>
    public static double[,] CellMass(Tensor locations, Tensor weights, int side)
    {
        using var scope = NewDisposeScope();
        long heads = weights.shape[0];
        int cells = side * side;
        var x = locations[TensorIndex.Ellipsis, 0].to(float64).reshape(heads, -1);
        var y = locations[TensorIndex.Ellipsis, 1].to(float64).reshape(heads, -1);
        var inside = x.ge(0).logical_and(x.lt(1)).logical_and(y.ge(0)).logical_and(y.lt(1));
        var column = (x * side).floor().clamp(0, side - 1).to(int64);
        var row = (y * side).floor().clamp(0, side - 1).to(int64);
        var bin = where(inside, row * side + column, full_like(row, cells));
        var mass = zeros(heads, cells + 1, dtype: float64).scatter_add(1, bin, weights.to(float64).reshape(heads, -1));
        var flat = mass.cpu().data<double>().ToArray();
        var result = new double[heads, cells + 1];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    /// <summary>The score of one layer from each question's asked cell (row-major index) and its per-head mass per cell
    /// (<see cref="CellMass"/>) and null weights.</summary>
    public static CellAttentionScore Summarise(int layer, IReadOnlyList<int> asked, IReadOnlyList<(double[,] Mass, double[] Null)> records, int side)
    {
        if (asked.Count != records.Count || asked.Count == 0)
            throw new ArgumentException($"CellAttention: {asked.Count} asked cells for {records.Count} records; one per question, at least one.");
        int cells = side * side, heads = records[0].Mass.GetLength(0);
        // share of cell c in question q from the chosen heads' mass (of the mass those heads give the image)
        double[][] Shares(Func<int, bool> head) => [.. records.Select(r =>
        {
            var share = new double[cells + 1];
            for (int h = 0; h < heads; h++)
                if (head(h)) for (int c = 0; c <= cells; c++) share[c] += r.Mass[h, c];
            double total = share.Sum();
            return total > 0 ? share.Select(v => v / total).ToArray() : share;
        })];
        (double Asked, double Otherwise) Matched(double[][] shares)
        {
            double a = 0, b = 0;
            int used = 0;
            for (int k = 0; k < cells; k++)
            {
                var when = Enumerable.Range(0, asked.Count).Where(q => asked[q] == k).Select(q => shares[q][k]).ToList();
                var not = Enumerable.Range(0, asked.Count).Where(q => asked[q] != k).Select(q => shares[q][k]).ToList();
                if (when.Count == 0 || not.Count == 0) continue;   // a cell never (or always) asked has no comparison
                a += when.Average(); b += not.Average(); used++;
            }
            return used == 0 ? (double.NaN, double.NaN) : (a / used, b / used);
        }
        var all = Shares(_ => true);
        var (inAsked, otherwise) = Matched(all);
        double inImage = all.Average(s => 1 - s[cells]);
        return new CellAttentionScore(layer, asked.Count, inAsked, otherwise, inImage / cells, inImage,
            records.Average(r => r.Null.Average()), [.. Enumerable.Range(0, heads).Select(h => Matched(Shares(x => x == h)).Asked)]);
    }

    // "r,c" (1-based, GridText.CellKey) → row-major index
    /// <summary>The cell a question asks about, in reading order, from its <c>"row,column"</c> metadata (1-based).</summary>
    public static int AskedCell(string? key, int side)
    {
        var parts = key?.Split(',');
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int r) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int c))
            throw new InvalidOperationException($"CellAttention: a cell question without a \"row,column\" cell in its metadata ({key ?? "none"}).");
        return (r - 1) * side + (c - 1);
    }

    /// <summary>The pixel box of <paramref name="cell"/> (reading order) as <see cref="CellMass"/> bins it: the image cut into
    /// side × side equal parts.</summary>
    public static PixelBox CellBox(int cell, int side, int imageSize)
    {
        int row = cell / side, column = cell % side;
        return new(column * imageSize / side, row * imageSize / side, (column + 1) * imageSize / side, (row + 1) * imageSize / side);
    }
}
