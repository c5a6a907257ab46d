using System.Net;
using System.Text;
using MMInterleaved.Data;
using MMInterleaved.Pipeline;
using static TorchSharp.torch;

namespace MMInterleaved.Visualization;

/// <summary>
/// Interleaved generation results as a page: each document's segments in order, the prompt's in grey and the generated
/// ones in black, generated images framed, with their other candidates beside them. <see cref="Write"/> saves the images as
/// PNG files and an <c>index.html</c> that links them; <see cref="ToView"/> inlines them for a notebook.
/// </summary>
public static class InterleavedPage
{
    /// <summary>Writes <c>{r}-{segment}.png</c> per image (and <c>{r}-{segment}-c{k}.png</c> per extra candidate) and
    /// <c>index.html</c> into <paramref name="folder"/> (created); returns the page's path.</summary>
    public static string Write(string folder, IReadOnlyList<InterleavedGenerationResult> results, int scale = 4)
    {
        Directory.CreateDirectory(folder);
        string html = Render(results, scale, (name, image) =>
        {
            ImageView.FromTensor(image).Save(Path.Combine(folder, name));
            return name;
        });
        string page = Path.Combine(folder, "index.html");
        Runtime.AtomicFile.WriteAllText(page, html);
        return page;
    }

    /// <summary>The page with images inlined (for a notebook cell).</summary>
    public static HtmlView ToView(IReadOnlyList<InterleavedGenerationResult> results, int scale = 4) =>
        new(Render(results, scale, (_, image) => "data:image/png;base64," + Convert.ToBase64String(ImageView.FromTensor(image).Png)));

    private static string Render(IReadOnlyList<InterleavedGenerationResult> results, int scale, Func<string, Tensor, string> source)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>MM-Interleaved generation</title><style>" +
            "body{font-family:sans-serif;max-width:60em;margin:1em auto} .doc{border-bottom:1px solid #ccc;padding:.5em 0} .prompt{color:#888}" +
            " .gen{color:#000} img{image-rendering:pixelated;vertical-align:middle;margin:2px} .made{outline:3px solid #2a7}" +
            " .cand{opacity:.7} small{color:#666}</style></head><body><h1>MM-Interleaved generation</h1>\n");
        for (int r = 0; r < results.Count; r++)
        {
            var result = results[r];
            html.Append($"<div class=\"doc\"><h3>{WebUtility.HtmlEncode(result.Document.Id)}</h3><p>");
            for (int s = 0; s < result.Document.Segments.Count; s++)
            {
                string kind = s < result.FirstGenerated ? "prompt" : "gen";
                var generated = result.Images.FirstOrDefault(g => g.SegmentIndex == s);
                switch (result.Document.Segments[s])
                {
                    case TextSegment text:
                        html.Append($"<span class=\"{kind}\">{WebUtility.HtmlEncode(text.Text)}</span> ");
                        break;
                    case ImageSegment image when generated is null:
                        using (var pixels = image.Load()) html.Append(Img(source($"{r}-{s}.png", pixels), pixels, scale, kind));
                        break;
                    case ImageSegment:
                        html.Append(Img(source($"{r}-{s}.png", generated!.Image), generated.Image, scale, "made"));
                        for (int k = 1; k < generated.Candidates.Count; k++)
                            html.Append(Img(source($"{r}-{s}-c{k}.png", generated.Candidates[k]), generated.Candidates[k], scale / 2 + 1, "cand"));
                        html.Append($"<small>seed {generated.Seeds[0]}</small> ");
                        break;
                }
            }
            html.Append($"</p><small>stopped: {WebUtility.HtmlEncode(result.StopReason)}</small></div>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    private static string Img(string src, Tensor image, int scale, string kind) =>
        $"<img class=\"{kind}\" src=\"{src}\" width=\"{image.shape[^1] * scale}\" height=\"{image.shape[^2] * scale}\" /> ";
}
