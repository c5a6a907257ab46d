using Plotly.NET;

namespace MMInterleaved.Visualization;

/// <summary>
/// Renders Plotly.NET charts to HTML that works with no network: plotly.js comes from the copy embedded in
/// Plotly.NET.dll, never from a CDN. Notebook fragments carry plotly.js once per process (the first chart a
/// kernel shows defines window.Plotly for the page; later charts reuse it); documents always inline it.
/// </summary>
public static class PlotlyHtml
{
    private static readonly Lazy<string> Script = new(ReadEmbeddedPlotlyJs);
    private static int includedInSession;

    /// <summary>The plotly.js source shipped inside Plotly.NET.</summary>
    public static string PlotlyJs => Script.Value;

    /// <summary>Starts a new notebook session: the next fragment carries plotly.js again. workbench.csx calls it, so each
    /// kernel (and each notebook the test runner executes in one process) defines window.Plotly in its own first chart.</summary>
    public static void NewSession() => Interlocked.Exchange(ref includedInSession, 0);

    /// <summary>An HTML fragment for a notebook cell. The first fragment of a process includes plotly.js;
    /// pass <paramref name="includePlotlyJs"/> = true to force it (for example after clearing all outputs).</summary>
    public static string Fragment(GenericChart chart, bool? includePlotlyJs = null)
    {
        bool include = includePlotlyJs ?? Interlocked.Exchange(ref includedInSession, 1) == 0;
        string body = GenericChart.toChartHTML(WithoutReference(chart));
        return include ? $"<script type=\"text/javascript\">{PlotlyJs}</script>\n{body}" : body;
    }

    /// <summary>A complete HTML page with plotly.js inlined (opens offline, ~3.6 MB).</summary>
    public static string Document(GenericChart chart, string title = "MMInterleaved chart")
    {
        string body = GenericChart.toChartHTML(WithoutReference(chart));
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + System.Net.WebUtility.HtmlEncode(title) +
               "</title>\n<script type=\"text/javascript\">" + PlotlyJs + "</script></head>\n<body>\n" + body + "\n</body></html>\n";
    }

    /// <summary>Writes <see cref="Document"/> to a file atomically.</summary>
    public static void Save(GenericChart chart, string path, string title = "MMInterleaved chart") =>
        Runtime.AtomicFile.WriteAllText(path, Document(chart, title));

    private static GenericChart WithoutReference(GenericChart chart) =>
        GenericChart.mapDisplayOptions(
            Microsoft.FSharp.Core.FuncConvert.FromFunc<DisplayOptions, DisplayOptions>(
                o => DisplayOptions.setPlotlyReference(PlotlyJSReference.NoReference).Invoke(o)), chart);

    private static string ReadEmbeddedPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        string name = assembly.GetManifestResourceNames()
                          .FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
                      ?? throw new InvalidOperationException("Plotly.NET.dll carries no embedded plotly.js resource.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
