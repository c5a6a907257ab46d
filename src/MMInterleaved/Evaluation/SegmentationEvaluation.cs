using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Visualization;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Segmentation-to-image fidelity, as the paper scores ADE20K generations (Table 5a, 6c): a segmenter trained on real
/// renders (<see cref="GlyphSegmenter"/>) segments each generated image and <see cref="MeanIoU"/> compares that with the
/// input map (the prompt's first image, decoded), over the whole set. Beside it: the same segmentation against another
/// prompt's map (prompt i + 1; what a generator that ignores its map scores), their paired difference, and the segmenter
/// on the real scenes (the ceiling, as the paper's ground-truth row). mIoU is a fraction as the paper prints it; each has
/// a bootstrap standard error over prompts (<c>_se</c>: 1000 resamples of the prompts, seed 0, the same resamples for
/// the paired difference). The generated images' cell colours (<see cref="ImageGenerationEvaluation"/>) come along, and <c>fid_glyph</c>: the
/// Fréchet distance between generated and real scenes in the segmenter's features (<see cref="GlyphSegmenter.Features"/>).
/// </summary>
public sealed class SegmentationEvaluation : ITaskEvaluation
{
    /// <summary>Bootstrap resamples behind the standard errors.</summary>
    public const int Resamples = 1000;

    private readonly IReadOnlyList<InterleavedDocument> queries;
    private readonly int[][] maps, segmented;

    /// <summary>Scores images [n, 3, S, S] generated for <paramref name="queries"/> (each: map image first, real scene
    /// last, <c>classes</c>, <c>layout</c> and <c>grid_side</c> metadata) with <paramref name="segmenter"/> (and the real
    /// FID with <paramref name="inception"/>, as <see cref="ImageGenerationEvaluation"/>).</summary>
    public SegmentationEvaluation(IReadOnlyList<InterleavedDocument> queries, Tensor generated, GlyphSegmenter segmenter, double? conditionSpread = null, Inception.FidInceptionV3? inception = null)
    {
        CellColors = new ImageGenerationEvaluation(queries, generated, conditionSpread, inception, segmenter);
        this.queries = queries;
        int n = queries.Count, classes = segmenter.ClassCount;
        maps = new int[n][];
        segmented = new int[n][];
        var own = new MeanIoU[n];
        var other = new MeanIoU[n];
        var real = new MeanIoU[n];
        for (int i = 0; i < n; i++)
        {
            int count = ClassCount(queries[i]);
            if (count != classes)
                throw new ArgumentException($"held-out document {queries[i].Id} has {count} classes; the segmenter predicts {classes}.");
            using var map = queries[i].Images.First().Load();
            maps[i] = SegmentationMap.Decode(map, classes);
            if (CellColors.Segmented is { } done) segmented[i] = done[i];
            else using (var image = CellColors.Images[i]) segmented[i] = segmenter.Segment(image);
        }
        for (int i = 0; i < n; i++)
        {
            using var scene = queries[i].Images.Last().Load();
            if (scene.shape[^1] * scene.shape[^2] != maps[i].Length || segmented[i].Length != maps[i].Length)
                throw new ArgumentException($"held-out document {queries[i].Id}: map, scene and generated image must have the same size.");
            (own[i] = new MeanIoU(classes)).Add(segmented[i], maps[i]);
            (other[i] = new MeanIoU(classes)).Add(segmented[i], maps[(i + 1) % n]);
            (real[i] = new MeanIoU(classes)).Add(CellColors.SegmentedReal?[i] ?? segmenter.Segment(scene), maps[i]);
        }
        var metrics = new Dictionary<string, double>(CellColors.Metrics);
        var random = new Random(0);
        var samples = Enumerable.Range(0, Resamples).Select(_ => Enumerable.Range(0, n).Select(_ => random.Next(n)).ToArray()).ToArray();
        double[] Boot(MeanIoU[] parts) => samples.Select(s => Pooled(parts, s).Value).ToArray();
        double Se(double[] values) => n > 1 ? Experiments.MetricSummary.Of(values).Std : double.NaN;
        var all = Enumerable.Range(0, n).ToArray();
        double ownValue = Pooled(own, all).Value, otherValue = Pooled(other, all).Value;
        double[] ownBoot = Boot(own), otherBoot = Boot(other);
        metrics["miou"] = ownValue;
        metrics["miou_se"] = Se(ownBoot);
        metrics["miou_other_map"] = otherValue;
        metrics["miou_other_map_se"] = Se(otherBoot);
        metrics["miou_own_minus_other"] = ownValue - otherValue;
        metrics["miou_own_minus_other_se"] = Se(ownBoot.Zip(otherBoot, (a, b) => a - b).ToArray());
        metrics["miou_real"] = Pooled(real, all).Value;
        metrics["miou_real_se"] = Se(Boot(real));
        // fid_glyph (generated vs real scenes in the segmenter's features) comes with the cell colours' metrics
        metrics["pixel_accuracy"] = Pooled(own, all).PixelAccuracy;
        metrics["pixel_accuracy_real"] = Pooled(real, all).PixelAccuracy;
        Metrics = metrics;
        PerImage = own.Select(m => m.Value).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>The cell-colour scores of the same images.</summary>
    public ImageGenerationEvaluation CellColors { get; }

    /// <summary>Each prompt's own mIoU (over the classes in its map or segmentation), for the per-image table.</summary>
    public IReadOnlyList<double> PerImage { get; }

    /// <summary>Writes what <see cref="ImageGenerationEvaluation.Write"/> writes, with these scores in <c>scores.json</c>,
    /// plus <c>{i}-map.png</c>, <c>{i}-segmented.png</c> (the segmenter's reading of the generated image, in map colours)
    /// and <c>segmentation.html</c>: map, generated, its segmentation and the real scene side by side.</summary>
    public void Write(string folder)
    {
        CellColors.Write(folder);
        int side = (int)CellColors.Images.shape[^1], px = side * 4;
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>segmentation-to-image</title><style>body{font-family:sans-serif}" +
            " img{image-rendering:pixelated} td{padding:4px;vertical-align:middle}</style></head><body><h1>Segmentation-to-image</h1><p>" +
            WebUtility.HtmlEncode(string.Join(", ", Metrics.Where(kv => kv.Key.StartsWith("miou") || kv.Key.StartsWith("pixel"))
                .Select(kv => $"{kv.Key} {kv.Value.ToString("0.###", CultureInfo.InvariantCulture)}"))) +
            "</p><table><tr><th>caption</th><th>map</th><th>generated</th><th>segmented</th><th>real</th><th>mIoU</th></tr>\n");
        for (int i = 0; i < queries.Count; i++)
        {
            using (var map = SegmentationMap.Render(maps[i], side)) ImageView.FromTensor(map).Save(Path.Combine(folder, $"{i}-map.png"));
            using (var seg = SegmentationMap.Render(segmented[i], side)) ImageView.FromTensor(seg).Save(Path.Combine(folder, $"{i}-segmented.png"));
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{WebUtility.HtmlEncode(queries[i].Meta("caption") ?? "")}</td><td><img src=\"{i}-map.png\" width=\"{px}\"></td><td><img src=\"{i}-generated.png\" width=\"{px}\"></td>" +
                $"<td><img src=\"{i}-segmented.png\" width=\"{px}\"></td><td><img src=\"{i}-real.png\" width=\"{px}\"></td><td>{PerImage[i]:F2}</td></tr>\n"));
        }
        var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "scores.json"), JsonSerializer.Serialize(Metrics, options));
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "segmentation.html"), html.Append("</table></body></html>\n").ToString());
    }

    private static MeanIoU Pooled(MeanIoU[] parts, int[] indices)
    {
        var pooled = new MeanIoU(parts[0].ClassCount);
        foreach (int i in indices) pooled.Merge(parts[i]);
        return pooled;
    }

    private static int ClassCount(InterleavedDocument query) =>
        query.Meta(Data.Tasks.GridSegToImageTask.ClassesKey) is string names ? names.Split(',').Length + 1
            : throw new ArgumentException($"held-out document {query.Id} has no '{Data.Tasks.GridSegToImageTask.ClassesKey}' metadata: its map cannot be decoded.");
}
