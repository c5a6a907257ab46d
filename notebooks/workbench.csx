// Loaded by every notebook's first cell (`#load "workbench.csx"`): references the built workbench library and
// teaches the kernel to show its charts and images offline. Build once first: `dotnet build` in the repo root.
#r "../src/MMInterleaved/bin/Debug/net10.0/MMInterleaved.dll"
#r "../src/MMInterleaved/bin/Debug/net10.0/TorchSharp.dll"
#r "../src/MMInterleaved/bin/Debug/net10.0/Plotly.NET.dll"
#r "../src/MMInterleaved/bin/Debug/net10.0/Plotly.NET.CSharp.dll"
#r "../src/MMInterleaved/bin/Debug/net10.0/FSharp.Core.dll"

using Microsoft.DotNet.Interactive.Formatting;

MMInterleaved.Native.TorchNative.EnsureLoaded();
// Plotly charts: plotly.js is inlined from Plotly.NET.dll (no CDN), once per kernel session.
MMInterleaved.Visualization.PlotlyHtml.NewSession();
Formatter.Register<Plotly.NET.GenericChart>((chart, writer) => writer.Write(MMInterleaved.Visualization.PlotlyHtml.Fragment(chart)), HtmlFormatter.MimeType);
// Image tensors wrapped in ImageView show as pictures.
Formatter.Register<MMInterleaved.Visualization.ImageView>((image, writer) => writer.Write(image.ToHtml()), HtmlFormatter.MimeType);
// HTML fragments (results tables).
Formatter.Register<MMInterleaved.Visualization.HtmlView>((view, writer) => writer.Write(view.Html), HtmlFormatter.MimeType);
