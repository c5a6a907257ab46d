using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class GlyphStoryTaskTests
{
    private static readonly GridTaskOptions Options = new(7, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32, GridSide: 2) { FillProbability = 0.5 });

    private static GlyphStoryTask Task => (GlyphStoryTask)GridTasks.Create("glyph-story", Options);

    [Fact]
    public void A_story_is_caption_frame_then_change_frame_pairs_with_one_layout_per_frame()
    {
        for (long i = 0; i < 20; i++)
        {
            var d = Task.Get(i);
            int frames = int.Parse(d.Meta("frames")!);
            Assert.InRange(frames, 3, 5);
            Assert.Equal(2 * frames, d.Segments.Count);
            for (int s = 0; s < d.Segments.Count; s++) Assert.IsType(s % 2 == 0 ? typeof(TextSegment) : typeof(ImageSegment), d.Segments[s]);
            var layouts = JsonText.ParseArray(d.Meta(GlyphStoryTask.FrameLayoutsKey)!);
            Assert.Equal(frames, layouts.Count);
            Assert.Equal(layouts[^1], d.Meta("layout"));
            Assert.Equal(frames - 1, JsonText.ParseArray(d.Meta("changes")!).Count);
            Assert.StartsWith(d.Meta("caption")!, ((TextSegment)d.Segments[0]).Text);
        }
        Assert.Equal(TaskMetric.Story, TaskEvaluator.MetricOf([Task.Get(0)]));
    }

    [Fact]
    public void Only_the_cells_a_sentence_names_change_and_every_other_pixel_persists()
    {
        var kinds = new HashSet<string>();
        for (long i = 0; i < 30; i++)
        {
            var (frames, changes) = Task.Story(i);
            for (int k = 1; k < frames.Count; k++)
            {
                var (text, cells) = changes[k - 1];
                kinds.Add(text.Contains(" turns ") ? "recolour" : text.Contains(" moves to ") ? "move" : text.Contains(" appears ") ? "appear" : text.Contains(" disappears") ? "disappear" : text);
                string Key(GridItem g) => $"{g.Color} {g.Kind.Name}";
                var before = frames[k - 1].Items.ToDictionary(g => (g.Row, g.Column));
                var after = frames[k].Items.ToDictionary(g => (g.Row, g.Column));
                foreach (var cell in before.Keys.Union(after.Keys))
                {
                    bool same = before.TryGetValue(cell, out var b) && after.TryGetValue(cell, out var a) && Key(a) == Key(b) && a.Box == b.Box;
                    Assert.True(same != cells.Contains(cell), $"story {i} frame {k} ('{text}'): cell {cell} {(same ? "unchanged but named" : "changed but not named")}");
                }
                if (text.Contains(" turns "))
                {
                    var (row, column) = cells.Single();
                    Assert.EndsWith($"turns {after[(row, column)].Color}.", text);
                    Assert.Contains($"in row {row + 1}, column {column + 1}", text);
                }
                // pixels outside the touched glyphs' boxes are the same picture (one background, the others unmoved)
                var boxes = cells.SelectMany(c => new[] { before.GetValueOrDefault(c)?.Box, after.GetValueOrDefault(c)?.Box }).OfType<PixelBox>().ToList();
                using var x = frames[k - 1].Render();
                using var y = frames[k].Render();
                using var keep = ones(32, 32, dtype: ScalarType.Bool);
                foreach (var box in boxes)
                    keep[TensorIndex.Slice(Math.Max(0, box.Y1 - 1), box.Y2 + 1), TensorIndex.Slice(Math.Max(0, box.X1 - 1), box.X2 + 1)] = false;
                using var diff = (x - y).abs().amax(0);
                Assert.Equal(0f, diff.masked_select(keep).max().item<float>());
            }
        }
        Assert.Equal(["appear", "disappear", "move", "recolour"], kinds.Order());
    }

    [Fact]
    public void Real_frames_scored_as_generated_reach_the_ceiling_and_copying_the_previous_frame_misses_the_changes()
    {
        var queries = Enumerable.Range(0, 12).Select(i => Task.Get(i)).ToList();
        var frames = queries.Select(q => (IReadOnlyList<(int, Tensor)>)q.Images.Select((image, k) => (k, image.Load())).Skip(1).ToList()).ToList();
        var result = new StoryEvaluation(queries, frames, null, allFrames: true);
        var m = result.Metrics;
        Assert.Equal(queries.Sum(q => q.Images.Count() - 1), m["frames_scored"]);
        Assert.Equal(m["cell_color_real"], m["cell_color"], 9);
        Assert.True(m["cell_color_changed"] > 90 && m["cell_color_unchanged"] > 90, $"changed {m["cell_color_changed"]:F1}, unchanged {m["cell_color_unchanged"]:F1}");
        Assert.True(m["cell_color_changed_copy_previous"] < 40, $"copying the previous frame reads {m["cell_color_changed_copy_previous"]:F1} % of changed cells right");
        Assert.Equal(m["cell_color_unchanged"], m["cell_color_unchanged_copy_previous"], 9);   // the same pixels there
        Assert.False(m.ContainsKey("similarity"));
    }
}
