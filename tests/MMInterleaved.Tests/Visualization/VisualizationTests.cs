using MMInterleaved.Mmfs;
using MMInterleaved.Ops;
using MMInterleaved.Visualization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Visualization;

[Collection(TorchCollection.Name)]
public class VisualizationTests
{
    [Fact]
    public void Chart_documents_inline_plotly_and_never_reference_a_cdn()
    {
        var chart = Plotly.NET.CSharp.Chart.Point<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 });
        string page = PlotlyHtml.Document(chart, "t");
        Assert.Contains("plotly.js v", page);
        // (plotly.js itself mentions cdn.plot.ly as a default for map data; what matters is that nothing is loaded)
        Assert.DoesNotContain("src=\"http", page);
        Assert.DoesNotContain("require.config", page);
        Assert.Contains("Plotly.newPlot", PlotlyHtml.Fragment(chart, includePlotlyJs: false));
        Assert.DoesNotContain("plotly.js v", PlotlyHtml.Fragment(chart, includePlotlyJs: false));
    }

    [Fact]
    public void Image_view_encodes_the_tensor_pixels_as_png()
    {
        using var scope = NewDisposeScope();
        var image = zeros(3, 2, 3);
        image[0, 0, 0] = tensor(1f); // top-left pixel pure red
        var view = ImageView.FromTensor(image, scale: 4);
        Assert.Equal((3, 2), (view.Width, view.Height));
        using var decoded = SkiaSharp.SKBitmap.Decode(view.Png);
        Assert.Equal(new SkiaSharp.SKColor(255, 0, 0), decoded.GetPixel(0, 0));
        Assert.Equal(new SkiaSharp.SKColor(0, 0, 0), decoded.GetPixel(1, 1));
        Assert.Contains("width=\"12\"", view.ToHtml());
        var e = Assert.Throws<ArgumentException>(() => ImageView.FromTensor(zeros(2, 4, 4)));
        Assert.Contains("[2,4,4]", e.Message);
    }

    [Fact]
    public void Sampling_points_figure_places_points_by_the_pixel_centre_convention_and_masses_sum_to_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var mmfs = new MultiModalFeatureSynchronizer(new MmfsOptions(DModel: 8, DQuery: 8, DValue: 3, DOut: 3, NumLevels: 1, NumHeads: 2,
            NumPoints: 2, SpatialShapes: [4], BaseSpatialShape: 4, MaxImagesPerSequence: 4));
        var samples = mmfs.Inspect(randn(1, 1, 8), full(1, 1, 1, 2, 0.5f), randn(1, 2, 16, 3), tensor(new long[] { 4, 4, 4, 4 }).view(2, 2),
            tensor(new long[] { 0, 16 }), ones(1, 2, dtype: int64), [0]);
        double[] mass = SamplingPointsFigure.MassPerImage(samples);
        Assert.Equal(3, mass.Length);
        Assert.Equal(1.0, mass.Sum(), 5);

        var figure = SamplingPointsFigure.Create(zeros(3, 32, 32), samples, image: 1);
        string json = Plotly.NET.GenericChart.toJson(figure);
        double x = samples.Locations![0, 0, 0, 1, 0, 0, 0].item<float>() * 32 - 0.5;
        Assert.Contains(x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)[..6], json); // first point of head 0
        Assert.Contains("head 1", json);
        Assert.DoesNotContain("\"asked\"", json);

        // the outline is a closed frame at the box's edges, in the points' pixel-centre coordinates
        string framed = Plotly.NET.GenericChart.toJson(SamplingPointsFigure.Create(zeros(3, 32, 32), samples, image: 1, outline: new MMInterleaved.Data.Glyphs.PixelBox(8, 16, 16, 24)));
        Assert.Contains("\"asked\"", framed);
        Assert.Contains("[7.5,15.5,15.5,7.5,7.5]", framed);
        Assert.Contains("[15.5,15.5,23.5,23.5,15.5]", framed);
    }
}
