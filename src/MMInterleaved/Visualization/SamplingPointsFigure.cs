using MMInterleaved.Data.Glyphs;
using MMInterleaved.Mmfs;
using Plotly.NET;
using static TorchSharp.torch;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace MMInterleaved.Visualization;

/// <summary>
/// Draws where MMFS samples: one query's sampling points for one image slot over that image, coloured by head and
/// sized by attention weight (all levels and points; offsets are shared by levels, so a point's levels overlap when
/// the maps are square). Coordinates follow the pixel-centre convention: location x ∈ [0,1] is pixel x·W − 0.5.
/// </summary>
public static class SamplingPointsFigure
{
    private static readonly string[] Palette = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#ffff33", "#a65628", "#f781bf",
        "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"];

    /// <summary>
    /// The figure for query <paramref name="query"/> (an index into the inspected queries) of batch row
    /// <paramref name="batch"/>, image slot <paramref name="image"/>, over <paramref name="picture"/> ([3,H,W] in [0,1]);
    /// <paramref name="outline"/>, in pixel edge coordinates, is drawn as a white frame (e.g. the cell a question asks about).
    /// </summary>
    public static GenericChart Create(Tensor picture, MmfsSamples samples, int image, int query = 0, int batch = 0,
        string? title = null, double maxMarkerSize = 28, bool showLegend = true, PixelBox? outline = null)
    {
        if (samples.Locations is null || samples.Weights is null)
            throw new ArgumentException("SamplingPointsFigure needs samples from MultiModalFeatureSynchronizer.Inspect (locations and weights).");
        long h = picture.shape[^2], w = picture.shape[^1];
        using var scope = NewDisposeScope();
        var loc = samples.Locations[batch, query, TensorIndex.Colon, image].to(float64).cpu();   // [M,Lv,P,2]
        var weight = samples.Weights[batch, query, TensorIndex.Colon, image].to(float64).cpu();  // [M,Lv,P]
        long heads = loc.shape[0];
        double top = Math.Max(samples.Weights[batch, query].max().to(float64).item<double>(), 1e-12); // shared scale across images

        var background = PlotlyChart.Image<string>(Source: "data:image/png;base64," + Convert.ToBase64String(ImageView.FromTensor(picture).Png), Name: "image", ShowLegend: false);
        var traces = new List<GenericChart> { background };
        for (long m = 0; m < heads; m++)
        {
            double[] xs = (loc[m, TensorIndex.Ellipsis, 0].flatten() * w - 0.5).data<double>().ToArray();
            double[] ys = (loc[m, TensorIndex.Ellipsis, 1].flatten() * h - 0.5).data<double>().ToArray();
            double[] ws = weight[m].flatten().data<double>().ToArray();
            int[] sizes = ws.Select(v => (int)Math.Round(4 + (maxMarkerSize - 4) * Math.Sqrt(v / top))).ToArray();
            // Plotly.NET's F# init functions take every option; set the few we need on the dynamic object instead.
            var marker = new Plotly.NET.TraceObjects.Marker();
            marker.SetProperty("size", sizes);
            marker.SetProperty("color", Palette[m % Palette.Length]);
            marker.SetProperty("opacity", 0.8);
            marker.SetProperty("line", new Dictionary<string, object> { ["color"] = "white", ["width"] = 1 });
            traces.Add(PlotlyChart.Point<double, double, string>(xs, ys, Name: $"head {m}", ShowLegend: showLegend, Marker: marker,
                MultiText: ws.Select(v => $"weight {v:F3}").ToArray()));
        }
        if (outline is PixelBox box)
        {
            // edges to pixel-centre coordinates, as the points are drawn
            double x1 = box.X1 - 0.5, x2 = box.X2 - 0.5, y1 = box.Y1 - 0.5, y2 = box.Y2 - 0.5;
            var frame = new Plotly.NET.Line();
            frame.SetProperty("color", "white");
            frame.SetProperty("width", 2);
            traces.Add(PlotlyChart.Line<double, double, string>(x: [x1, x2, x2, x1, x1], y: [y1, y1, y2, y2, y1], Name: "asked", ShowLegend: false, Line: frame));
        }
        var chart = PlotlyChart.Combine(traces);
        return chart.WithTitles(title ?? $"MMFS sampling points, image slot {image}", "x (pixels)", "y (pixels)");
    }

    /// <summary>Attention mass per image slot (summed over levels and points, averaged over heads), then the null slot
    /// as the last entry; the entries sum to one.</summary>
    public static double[] MassPerImage(MmfsSamples samples, int query = 0, int batch = 0)
    {
        using var scope = NewDisposeScope();
        var perImage = samples.Weights![batch, query].sum([2, 3]).mean([0L]).to(float64).cpu().data<double>().ToArray(); // [I]
        double nothing = samples.NullWeight![batch, query].mean().to(float64).item<double>();
        return [.. perImage, nothing];
    }
}
