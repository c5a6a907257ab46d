using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace MMInterleaved.Visualization;

/// <summary>Short C# helpers over Plotly.NET's F#-first styling API.</summary>
public static class ChartStyle
{
    /// <summary>Sets the chart title and, when given, the axis titles.</summary>
    public static GenericChart WithTitles(this GenericChart chart, string title, string? xTitle = null, string? yTitle = null)
    {
        chart = Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        if (xTitle is not null) chart = chart.WithXAxisStyle<double, double, string>(TitleText: xTitle);
        if (yTitle is not null) chart = chart.WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return chart;
    }

    /// <summary>A logarithmic x axis with that title (for sweeps over powers of two).</summary>
    public static GenericChart WithLogXAxis(this GenericChart chart, string title) =>
        chart.WithXAxisStyle<double, double, string>(TitleText: title, AxisType: StyleParam.AxisType.Log);
}
