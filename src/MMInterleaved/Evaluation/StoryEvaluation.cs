using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Experiments;
using MMInterleaved.Visualization;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Storytelling scores (the paper's Table 5b/5c on <c>glyph-story</c>): generated frames read cell by cell against the
/// frame's layout, split into the cells the last change sentence touched (does the model follow the text?) and the
/// cells it did not (does the rest persist?), beside the same reading of the real previous frame (what copying the
/// previous frame scores: about 100 % on unchanged cells, 0 % on changed ones by construction) and of the real frame
/// (the reader's ceiling); and the image–image similarity of each generated frame with its ground truth (the paper's
/// CLIP similarity, <see cref="ImageSimilarity"/>), beside the real previous frame's, plain and centred on the real
/// frames' mean feature (<c>similarity_centred</c>: the plain cosine saturates near 1). Percentages; every ± is an SE over
/// prompts (each prompt's frames averaged first).
/// </summary>
public sealed class StoryEvaluation : ITaskEvaluation
{
    private readonly IReadOnlyList<InterleavedDocument> queries;
    private readonly IReadOnlyList<IReadOnlyList<(int Frame, Tensor Image)>> generated;

    /// <summary>Scores frames generated for <paramref name="queries"/> (glyph-story documents): for each prompt, the
    /// 0-based frame indices generated and their images [3, S, S] (last frame only, or frames 1…F−1 in turn), with
    /// <paramref name="similarity"/> for the image–image similarity (null: not reported).</summary>
    public StoryEvaluation(IReadOnlyList<InterleavedDocument> queries, IReadOnlyList<IReadOnlyList<(int Frame, Tensor Image)>> generated, ImageSimilarity? similarity, bool allFrames)
    {
        if (queries.Count == 0 || generated.Count != queries.Count)
            throw new ArgumentException($"StoryEvaluation: frames for {generated.Count} prompts, {queries.Count} prompts; give the generated frames of each.");
        this.queries = queries;
        // own copies, kept for Write: the caller keeps (and disposes) what it passed
        this.generated = generated.Select(frames => (IReadOnlyList<(int, Tensor)>)frames.Select(f => (f.Frame, Kept(f.Image))).ToList()).ToList();
        generated = this.generated;
        AllFrames = allFrames;
        var perPrompt = new Dictionary<string, List<double>>();
        void Add(string name, double value)
        {
            if (!perPrompt.TryGetValue(name, out var list)) perPrompt[name] = list = [];
            list.Add(value);
        }
        // every scored frame's (prompt, generated, previous real, real), for the centred similarity over the whole set
        var pairs = new List<(int Prompt, Tensor Generated, Tensor Previous, Tensor Truth)>();
        for (int i = 0; i < queries.Count; i++)
        {
            var q = queries[i];
            var layouts = JsonText.ParseArray(Field(q, GlyphStoryTask.FrameLayoutsKey)).Select(CellLayout.Parse).ToArray();
            var changed = JsonText.ParseArray(Field(q, GlyphStoryTask.ChangedCellsKey)).Select(ParseCells).ToArray();
            int side = int.Parse(Field(q, "grid_side"), CultureInfo.InvariantCulture);
            var real = q.Images.ToArray();
            if (real.Length != layouts.Length || changed.Length != layouts.Length - 1)
                throw new ArgumentException($"held-out document {q.Id}: {real.Length} frames, {layouts.Length} frame layouts and {changed.Length} changes; a story of F frames has F layouts and F − 1 changes.");
            var sums = new Dictionary<string, (double Sum, int Count)>();
            void Frame(string name, int right, int total)
            {
                if (total == 0) return;
                var (s, c) = sums.GetValueOrDefault(name);
                sums[name] = (s + 100.0 * right / total, c + 1);
            }
            foreach (var (k, image) in generated[i])
            {
                if (k < 1 || k >= layouts.Length) throw new ArgumentException($"held-out document {q.Id}: frame {k} is not a generated frame of a {layouts.Length}-frame story (1…{layouts.Length - 1}).");
                var layout = layouts[k];
                var touched = changed[k - 1];
                using var truth = real[k].Load();
                using var previous = real[k - 1].Load();
                var read = CellColorReader.ReadCells(image, side, layout.Positions);
                var readPrevious = CellColorReader.ReadCells(previous, side, layout.Positions);
                var readReal = CellColorReader.ReadCells(truth, side, layout.Positions);
                int[] changedCells = Enumerable.Range(0, layout.Cells.Count).Where(j => touched.Contains((layout.Cells[j].Row, layout.Cells[j].Column))).ToArray();
                int[] kept = Enumerable.Range(0, layout.Cells.Count).Except(changedCells).ToArray();
                int Right(string[] r, int[] cells) => cells.Count(j => r[j] == layout.Cells[j].Color);
                var every = Enumerable.Range(0, layout.Cells.Count).ToArray();
                Frame("cell_color", Right(read, every), every.Length);
                Frame("cell_color_changed", Right(read, changedCells), changedCells.Length);
                Frame("cell_color_unchanged", Right(read, kept), kept.Length);
                Frame("cell_color_copy_previous", Right(readPrevious, every), every.Length);
                Frame("cell_color_changed_copy_previous", Right(readPrevious, changedCells), changedCells.Length);
                Frame("cell_color_unchanged_copy_previous", Right(readPrevious, kept), kept.Length);
                Frame("cell_color_real", Right(readReal, every), every.Length);
                if (similarity is not null)
                {
                    using var pair = stack([image, previous]);
                    using var twice = stack([truth, truth]);
                    var cosines = similarity.Cosines(pair, twice);
                    var (s, c) = sums.GetValueOrDefault("similarity");
                    sums["similarity"] = (s + cosines[0], c + 1);
                    var (sp, cp) = sums.GetValueOrDefault("similarity_previous");
                    sums["similarity_previous"] = (sp + cosines[1], cp + 1);
                    pairs.Add((i, Kept(image), Kept(previous), Kept(truth)));
                }
            }
            foreach (var (name, (sum, count)) in sums) Add(name, sum / count);
        }
        if (similarity is not null && pairs.Count > 1)
        {
            // the plain cosine of glyph scenes saturates near 1; centred on the real frames' mean feature it separates
            using var scope = NewDisposeScope();
            var truths = stack(pairs.Select(p => p.Truth).ToArray());
            var centre = similarity.Centre(truths);
            double[] own = similarity.CentredCosines(stack(pairs.Select(p => p.Generated).ToArray()), truths, centre);
            double[] copy = similarity.CentredCosines(stack(pairs.Select(p => p.Previous).ToArray()), truths, centre);
            foreach (var prompt in pairs.Select((p, j) => (p.Prompt, j)).GroupBy(x => x.Prompt))
            {
                Add("similarity_centred", prompt.Average(x => own[x.j]));
                Add("similarity_centred_previous", prompt.Average(x => copy[x.j]));
            }
        }
        foreach (var p in pairs) { p.Generated.Dispose(); p.Previous.Dispose(); p.Truth.Dispose(); }
        var metrics = new Dictionary<string, double>
        {
            ["prompts"] = queries.Count,
            ["frames_scored"] = generated.Sum(g => g.Count),
        };
        foreach (var (name, values) in perPrompt)
        {
            var summary = MetricSummary.Of(values);
            metrics[name] = summary.Mean;
            metrics[name + "_se"] = summary.N > 1 ? summary.Std / Math.Sqrt(summary.N) : double.NaN;
        }
        Metrics = metrics;
    }

    private static Tensor Kept(Tensor image)
    {
        var copy = image.detach().cpu().to(float32).clone();
        copy.DetachFromDisposeScope();
        return copy;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Whether every frame after the first was generated in turn (Pororo-like) rather than the last only (VIST-like).</summary>
    public bool AllFrames { get; }

    /// <summary>Writes <c>{i}-f{k}-generated.png</c> and <c>{i}-f{k}-real.png</c> for every frame, <c>scores.json</c> and
    /// <c>story.html</c>: each story's sentences with its real frames above and the generated ones below.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>glyph-story</title><style>body{font-family:sans-serif}" +
            " img{image-rendering:pixelated} td{padding:4px;vertical-align:top;font-size:small}</style></head><body><h1>Storytelling (" +
            (AllFrames ? "every frame in turn" : "last frame") + ")</h1><p>" +
            WebUtility.HtmlEncode(string.Join(", ", Metrics.Select(kv => $"{kv.Key} {kv.Value.ToString("0.##", CultureInfo.InvariantCulture)}"))) + "</p>\n");
        for (int i = 0; i < queries.Count; i++)
        {
            var q = queries[i];
            var real = q.Images.ToArray();
            var changes = JsonText.ParseArray(Field(q, "changes"));
            var made = generated[i].ToDictionary(g => g.Frame, g => g.Image);
            html.Append($"<h3>{WebUtility.HtmlEncode(q.Id)}</h3><table><tr>");
            for (int k = 0; k < real.Length; k++)
                html.Append($"<td>{WebUtility.HtmlEncode(k == 0 ? Field(q, "caption") : changes[k - 1])}</td>");
            html.Append("</tr><tr>");
            for (int k = 0; k < real.Length; k++)
            {
                using var frame = real[k].Load();
                ImageView.FromTensor(frame).Save(Path.Combine(folder, $"{i}-f{k}-real.png"));
                html.Append($"<td><img src=\"{i}-f{k}-real.png\" width=\"{frame.shape[^1] * 3}\"></td>");
            }
            html.Append("</tr><tr>");
            for (int k = 0; k < real.Length; k++)
            {
                if (!made.TryGetValue(k, out var image)) { html.Append("<td>given</td>"); continue; }
                ImageView.FromTensor(image).Save(Path.Combine(folder, $"{i}-f{k}-generated.png"));
                html.Append($"<td><img src=\"{i}-f{k}-generated.png\" width=\"{image.shape[^1] * 3}\"></td>");
            }
            html.Append("</tr></table>\n");
        }
        html.Append("</body></html>\n");
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "story.html"), html.ToString());
        var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Runtime.AtomicFile.WriteAllText(Path.Combine(folder, "scores.json"), JsonSerializer.Serialize(Metrics, options));
    }

    private static string Field(InterleavedDocument q, string key) =>
        q.Meta(key) ?? throw new ArgumentException($"held-out document {q.Id} has no '{key}' metadata; storytelling scores glyph-story documents.");

    private static HashSet<(int Row, int Column)> ParseCells(string cells) =>
        cells.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(c =>
        {
            var rc = c.Split(',');
            return (int.Parse(rc[0], CultureInfo.InvariantCulture) - 1, int.Parse(rc[1], CultureInfo.InvariantCulture) - 1);
        }).ToHashSet();
}
