using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Experiments;
using MMInterleaved.Visualization;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Text-to-image fidelity on grid scenes, cell by cell (<see cref="CellColorReader"/>): per prompt, the percentage of its
/// filled cells whose colour the generated image shows; the same reading of each image against another prompt's layout
/// (prompt i + 1: what an image that ignores its caption scores, the baseline); their paired difference; and the reader on
/// the real scenes (the ceiling). Each metric has its standard error over prompts (<c>_se</c>, SD / √n). With the UNet
/// conditions given, <c>condition_spread</c> says how much they differ between prompts (<see cref="Spread"/>): near 0, every
/// caption reaches the UNet as the same condition, and no image can follow its caption. <see cref="Confusion"/> tells a
/// decoder that follows its captions wrongly (structured confusions) from one that ignores them.
/// </summary>
public sealed class ImageGenerationEvaluation : ITaskEvaluation
{
    private readonly IReadOnlyList<InterleavedDocument> queries;
    private readonly Tensor generated;
    private readonly double[] own, other, real;
    private readonly string[][] readings;

    /// <summary>Scores images [n, 3, S, S] generated for <paramref name="queries"/> (each with <c>layout</c> and
    /// <c>grid_side</c> metadata and the real scene as its last image), and optionally their conditions' spread; with
    /// <paramref name="inception"/> (pytorch-fid's weights loaded) also the real <c>fid</c> against the real scenes, and with
    /// <paramref name="segmenter"/> <c>fid_glyph</c> (<see cref="GlyphSegmenter.Distance"/> to the real scenes) and, when it
    /// knows its kinds, the glyph kind of every cell (<c>cell_kind</c>) and kind and colour together (<c>cell_fidelity</c>),
    /// with baseline and ceiling.</summary>
    public ImageGenerationEvaluation(IReadOnlyList<InterleavedDocument> queries, Tensor generated, double? conditionSpread = null, Inception.FidInceptionV3? inception = null,
        GlyphSegmenter? segmenter = null)
    {
        if (queries.Count == 0 || generated.shape[0] != queries.Count)
            throw new ArgumentException($"ImageGenerationEvaluation: {generated.shape[0]} images for {queries.Count} prompts; give one image per prompt.");
        this.queries = queries;
        this.generated = generated.detach().cpu().clone();
        this.generated.DetachFromDisposeScope();
        var layouts = queries.Select(Layout).ToArray();
        int n = queries.Count;
        own = new double[n];
        other = new double[n];
        real = new double[n];
        readings = new string[n][];
        var sides = queries.Select(GridSide).ToArray();
        var everyCell = new Dictionary<(int Image, int Side), string[]>();    // each image read once per grid side, all cells
        string[] ReadAt(int image, int prompt)
        {
            int side = sides[prompt];
            if (!everyCell.TryGetValue((image, side), out var cells))
            {
                using var picture = this.generated[image];
                everyCell[(image, side)] = cells = CellColorReader.ReadCells(picture, side,
                    Enumerable.Range(0, side * side).Select(k => (k / side, k % side)).ToList());
            }
            return layouts[prompt].Positions.Select(p => cells[p.Row * side + p.Column]).ToArray();
        }
        for (int i = 0; i < n; i++)
        {
            readings[i] = ReadAt(i, i);
            own[i] = Percent(readings[i], layouts[i]);
            var next = layouts[(i + 1) % n];
            other[i] = Percent(ReadAt(i, (i + 1) % n), next);
            int side = sides[i];
            using var scene = queries[i].Images.Last().Load();
            real[i] = Percent(CellColorReader.ReadCells(scene, side, layouts[i].Positions), layouts[i]);
        }
        var metrics = new Dictionary<string, double> { ["prompts"] = n };
        void Add(string name, IEnumerable<double> values)
        {
            var summary = MetricSummary.Of(values);
            metrics[name] = summary.Mean;
            metrics[name + "_se"] = summary.N > 1 ? summary.Std / Math.Sqrt(summary.N) : double.NaN;
        }
        Add("cell_color", own);
        Add("cell_color_other_scene", other);
        Add("cell_color_own_minus_other", own.Zip(other, (a, b) => a - b));
        Add("cell_color_real", real);
        Confusion = new CellColorConfusion(layouts, ReadAt, Data.Glyphs.GlyphPalette.Colors.Select(c => c.Name).ToList());
        metrics["cell_color_mutual_information_bits"] = Confusion.MutualInformationBits;
        metrics["cell_color_dependence_p"] = Confusion.DependenceP();
        if (conditionSpread is double spread) metrics["condition_spread"] = spread;
        if (segmenter?.KindNames is { } kinds) AddKinds(Add, layouts, sides, segmenter, kinds);
        if (segmenter is not null)
            using (var scenes = stack(queries.Select(q => q.Images.Last().Load()).ToArray()))
                metrics["fid_glyph"] = segmenter.Distance(this.generated, scenes);
        if (inception is not null)
            using (var scenes = stack(queries.Select(q => q.Images.Last().Load()).ToArray()))
                metrics["fid"] = inception.Distance(this.generated, scenes);
        Metrics = metrics;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Asked × read colours over the filled cells, and whether the drawn colours depend on the captions
    /// (metrics <c>cell_color_mutual_information_bits</c> and its permutation p-value <c>cell_color_dependence_p</c>).</summary>
    public CellColorConfusion Confusion { get; }

    /// <summary>‖C − mean over prompts‖ / ‖C‖ of conditions C [P, …]: 0 when every prompt gives the same condition.</summary>
    public static double Spread(Tensor conditions)
    {
        using var scope = NewDisposeScope();
        var c = conditions.to(float64);
        return ((c - c.mean([0L], keepdim: true)).norm() / c.norm()).item<double>();
    }

    /// <summary>The generated images [n, 3, S, S] (CPU).</summary>
    public Tensor Images => generated;

    /// <summary>The segmenter's class per pixel (row-major) of each generated image, when the kinds were read (null
    /// otherwise); kept so that a segmentation score need not segment again.</summary>
    public int[][]? Segmented { get; private set; }

    /// <summary>The same for each real scene.</summary>
    public int[][]? SegmentedReal { get; private set; }

    /// <summary>Writes <c>{i}-generated.png</c>, <c>{i}-real.png</c>, <c>image_scores.json</c> (per prompt: id, caption,
    /// scores, colours read), <c>scores.json</c>, <c>confusion.json</c> (asked × read cell counts) and an <c>index.html</c>
    /// that shows them side by side, with the confusion table.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<object>();
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>text-to-image</title><style>body{font-family:sans-serif}" +
            " img{image-rendering:pixelated} td{padding:4px;vertical-align:middle}</style></head><body><h1>Text-to-image, cell colours</h1><p>" +
            WebUtility.HtmlEncode(string.Join(", ", Metrics.Select(kv => $"{kv.Key} {kv.Value.ToString("0.##", CultureInfo.InvariantCulture)}"))) +
            "</p><table><tr><th>caption</th><th>generated</th><th>real</th><th>own / other / real %</th></tr>\n");
        for (int i = 0; i < queries.Count; i++)
        {
            using var image = generated[i];
            ImageView.FromTensor(image).Save(Path.Combine(folder, $"{i}-generated.png"));
            using (var scene = queries[i].Images.Last().Load()) ImageView.FromTensor(scene).Save(Path.Combine(folder, $"{i}-real.png"));
            string caption = queries[i].Meta("caption") ?? "";
            rows.Add(new { id = queries[i].Id, caption, cell_color = own[i], cell_color_other_scene = other[i], cell_color_real = real[i], layout = queries[i].Meta("layout"), read = readings[i] });
            int px = (int)image.shape[^1] * 4;
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{WebUtility.HtmlEncode(caption)}</td><td><img src=\"{i}-generated.png\" width=\"{px}\"></td><td><img src=\"{i}-real.png\" width=\"{px}\"></td><td>{own[i]:F0} / {other[i]:F0} / {real[i]:F0}</td></tr>\n"));
        }
        html.Append("</table><h2>Asked × drawn colour (cells)</h2><table><tr><th>asked \\ read</th>");
        var colors = Confusion.Colors;
        foreach (var c in colors) html.Append($"<th>{WebUtility.HtmlEncode(c)}</th>");
        html.Append("</tr>\n");
        for (int r = 0; r < colors.Count; r++)
        {
            html.Append($"<tr><th>{WebUtility.HtmlEncode(colors[r])}</th>");
            for (int c = 0; c < colors.Count; c++) html.Append(r == c ? $"<td><b>{Confusion.Counts[r, c]}</b></td>" : $"<td>{Confusion.Counts[r, c]}</td>");
            html.Append("</tr>\n");
        }
        var confusion = new { asked_rows_read_columns = colors, counts = Enumerable.Range(0, colors.Count).Select(r => Enumerable.Range(0, colors.Count).Select(c => Confusion.Counts[r, c]).ToArray()).ToArray() };
        var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "image_scores.json"), JsonSerializer.Serialize(rows, options));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "scores.json"), JsonSerializer.Serialize(Metrics, options));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "confusion.json"), JsonSerializer.Serialize(confusion, options));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "index.html"), html.Append("</table></body></html>\n").ToString());
    }

    // Cell fidelity with the segmenter's kind reading (CellKindReader): kind right, kind and colour right, each against the
    // prompt's own layout, another prompt's (the caption-blind baseline) and on the real scene (the ceiling).
    private void AddKinds(Action<string, IEnumerable<double>> add, CellLayout[] layouts, int[] sides, GlyphSegmenter segmenter, IReadOnlyList<string> kinds)
    {
        int n = queries.Count;
        double[] kind = new double[n], kindOther = new double[n], kindReal = new double[n], both = new double[n], bothReal = new double[n];
        int[][] segmented = new int[n][], segmentedReal = new int[n][];
        for (int i = 0; i < n; i++)
        {
            int size = (int)generated.shape[^1];
            int[] classes;
            using (var image = generated[i]) classes = segmented[i] = segmenter.Segment(image);
            using var scene = queries[i].Images.Last().Load();
            int[] realClasses = segmentedReal[i] = segmenter.Segment(scene);
            var next = layouts[(i + 1) % n];
            var read = CellKindReader.ReadCells(classes, size, sides[i], layouts[i].Positions, kinds);
            var readReal = CellKindReader.ReadCells(realClasses, size, sides[i], layouts[i].Positions, kinds);
            kind[i] = KindPercent(read, layouts[i]);
            kindOther[i] = KindPercent(CellKindReader.ReadCells(classes, size, sides[(i + 1) % n], next.Positions, kinds), next);
            kindReal[i] = KindPercent(readReal, layouts[i]);
            both[i] = BothPercent(read, readings[i], layouts[i]);
            bothReal[i] = BothPercent(readReal, CellColorReader.ReadCells(scene, sides[i], layouts[i].Positions), layouts[i]);
        }
        Segmented = segmented;
        SegmentedReal = segmentedReal;
        add("cell_kind", kind);
        add("cell_kind_other_scene", kindOther);
        add("cell_kind_own_minus_other", kind.Zip(kindOther, (a, b) => a - b));
        add("cell_kind_real", kindReal);
        add("cell_fidelity", both);
        add("cell_fidelity_real", bothReal);
    }

    private static double KindPercent(string[] read, CellLayout layout) =>
        layout.Cells.Count == 0 ? double.NaN : 100.0 * read.Zip(layout.Kinds, (r, k) => r == k ? 1 : 0).Sum() / layout.Cells.Count;

    private static double BothPercent(string[] kinds, string[] colors, CellLayout layout) =>
        layout.Cells.Count == 0 ? double.NaN
            : 100.0 * Enumerable.Range(0, layout.Cells.Count).Count(j => kinds[j] == layout.Kinds[j] && colors[j] == layout.Cells[j].Color) / layout.Cells.Count;

    private static CellLayout Layout(InterleavedDocument query) => CellLayout.Parse(query.Meta(Data.Tasks.GridTextToImageTask.LayoutKey)
        ?? throw new ArgumentException($"held-out document {query.Id} has no '{Data.Tasks.GridTextToImageTask.LayoutKey}' metadata: its image cannot be read cell by cell."));

    private static int GridSide(InterleavedDocument query) =>
        int.TryParse(query.Meta("grid_side"), NumberStyles.None, CultureInfo.InvariantCulture, out int side) && side > 0 ? side
            : throw new ArgumentException($"held-out document {query.Id}: 'grid_side' metadata is '{query.Meta("grid_side")}'; expected a positive integer.");

    private static double Percent(string[] read, CellLayout layout) =>
        layout.Cells.Count == 0 ? double.NaN : 100.0 * read.Zip(layout.Cells, (r, c) => r == c.Color ? 1 : 0).Sum() / layout.Cells.Count;
}
