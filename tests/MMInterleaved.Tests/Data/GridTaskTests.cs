using System.Globalization;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data;

[Collection(TorchCollection.Name)]
public class GridTaskTests
{
    private static GridItem ItemAt(IGridScene scene, string cellKey)
    {
        var parts = cellKey.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture) - 1).ToArray();
        return scene.At(parts[0], parts[1]) ?? throw new Xunit.Sdk.XunitException($"no item at {cellKey}");
    }

    /// <summary>Re-derives a VQA answer from the scene alone, from the question's metadata.</summary>
    private static void AssertAnswerFollowsFromScene(IGridScene scene, InterleavedDocument d)
    {
        string answer = d.Meta("answer")!, question = d.Meta("question")!;
        switch (d.Meta("question_type"))
        {
            case "glyph_at_cell":
            {
                var item = ItemAt(scene, d.Meta("cell")!);
                Assert.Equal(item.Kind.Name, answer);
                Assert.Contains(GridCells.Phrase(scene.GridSide, item.Row, item.Column) + "?", question);
                break;
            }
            case "color_at_cell":
            {
                var item = ItemAt(scene, d.Meta("cell")!);
                Assert.Equal(item.Color, answer);
                Assert.Contains("what color is the glyph in " + GridCells.Phrase(scene.GridSide, item.Row, item.Column), question);
                break;
            }
            case "count":
            {
                string of = d.Meta("count_of")!;
                int n = question.Contains($"many {of} glyphs") ? scene.Items.Count(i => i.Color == of) : scene.Items.Count(i => i.Kind.Name == of);
                Assert.Equal(n.ToString(CultureInfo.InvariantCulture), answer);
                break;
            }
            case "compare":
            {
                var a = ItemAt(scene, d.Meta("cell")!);
                var b = ItemAt(scene, d.Meta("other_cell")!);
                Assert.NotEqual(a, b);
                bool same = d.Meta("compare") == "color" ? a.Color == b.Color : a.Kind.Name == b.Kind.Name;
                Assert.Equal(same ? "yes" : "no", answer);
                Assert.Contains($"the same {d.Meta("compare")} as", question);
                break;
            }
            case "count_colors":
                Assert.Equal(scene.Items.Select(i => i.Color).Distinct().Count().ToString(CultureInfo.InvariantCulture), answer);
                break;
            case "dominant_color":
            {
                var counts = scene.Items.GroupBy(i => i.Color).ToDictionary(g => g.Key, g => g.Count());
                Assert.All(counts.Where(c => c.Key != answer), c => Assert.True(c.Value < counts[answer]));   // strictly most
                break;
            }
            case "any_kind":
                Assert.Equal(scene.Items.Any(i => i.Kind.Name == d.Meta("kind")) ? "yes" : "no", answer);
                Assert.StartsWith("is there ", question);
                break;
            default:
                Assert.Fail($"unknown question type {d.Meta("question_type")}");
                break;
        }
        Assert.Equal(Enumerable.Repeat(answer, 10), JsonText.ParseArray(d.Meta("answers")!));
        Assert.DoesNotContain(' ', answer);
    }

    [Fact]
    public void Every_task_name_resolves_to_a_source_with_that_name()
    {
        foreach (string name in GridTasks.GlyphNames)
        {
            var source = GridTasks.Create(name);
            Assert.Equal(name, source.Name);
            Assert.Null(source.Count);
            Assert.Equal(name, source.Get(0).Meta("task"));
        }
        Assert.Equal(["glyph-caption", "glyph-vqa", "glyph-grounding", "glyph-fewshot", "glyph-multi-image", "glyph-text-to-image", "glyph-seg-to-image", "glyph-story"], GridTasks.GlyphNames);
        var e = Assert.Throws<ArgumentException>(() => GridTasks.Create("glyph-poetry"));
        Assert.Contains("glyph-vqa", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GridTasks.Create("glyph-vqa").Get(-1));
    }

    [Fact]
    public void Documents_are_pure_functions_of_seed_split_and_index()
    {
        foreach (string name in GridTasks.GlyphNames)
        {
            var a = GridTasks.Create(name, new GridTaskOptions(Seed: 3));
            var b = GridTasks.Create(name, new GridTaskOptions(Seed: 3));
            DataAssert.SameDocument(a.Get(17), b.Get(17));
            DataAssert.SameDocument(a.Get(17), a.Get(17));
            var other = GridTasks.Create(name, new GridTaskOptions(Seed: 4)).Get(17);
            Assert.NotEqual(DataAssert.Flatten(a.Get(17)) + a.Get(17).Meta("captions"), DataAssert.Flatten(other) + other.Meta("captions"));
        }
        // image 0 of document i is one scene across tasks
        var vqa = (GridTask)GridTasks.Create("glyph-vqa");
        var caption = (GridTask)GridTasks.Create("glyph-caption");
        Assert.Equal(vqa.Scene(5).LayoutKey(), caption.Scene(5).LayoutKey());
    }

    [Fact]
    public void Vqa_documents_are_image_prompt_target_and_answers_follow_from_the_scene()
    {
        var task = (GridTask)GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 1));
        var types = new Dictionary<string, int>();
        int yes = 0, compares = 0;
        for (int i = 0; i < 200; i++)
        {
            var d = task.Get(i);
            Assert.Equal(3, d.Segments.Count);
            Assert.IsType<ImageSegment>(d.Segments[0]);
            var prompt = Assert.IsType<TextSegment>(d.Segments[1]);
            var target = Assert.IsType<TextSegment>(d.Segments[2]);
            Assert.False(prompt.Target);
            Assert.True(target.Target);
            Assert.Equal($"Question: {d.Meta("question")} Short answer:", prompt.Text);
            Assert.Equal(" " + d.Meta("answer"), target.Text);
            Assert.Equal($"glyph-vqa/train/{i}", d.Id);
            AssertAnswerFollowsFromScene(task.Scene(i), d);
            types[d.Meta("question_type")!] = types.GetValueOrDefault(d.Meta("question_type")!) + 1;
            if (d.Meta("question_type") == "compare") { compares++; if (d.Meta("answer") == "yes") yes++; }
        }
        Assert.Equal(4, types.Count);
        Assert.InRange(types["glyph_at_cell"], 55, 105); // weight 0.4 of 200
        Assert.InRange(yes, compares * 0.25, compares * 0.75); // balanced yes/no
    }

    [Fact]
    public void Coarse_questions_mix_in_at_their_share_answerable_from_the_scene_and_leave_the_default_mix_as_it_was()
    {
        var mix = new VqaQuestionMix().WithCoarse(0.3);
        Assert.Equal(1, mix.Weights.Sum(), 12);
        Assert.Equal(0.3, mix.CountColors + mix.DominantColor + mix.AnyKind, 12);
        Assert.Equal(0.4 / 0.3, mix.GlyphAtCell / mix.ColorAtCell, 12);                    // the fine types keep their proportions
        var task = (GridTask)GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 2) { Questions = mix });
        var types = new Dictionary<string, int>();
        var answers = new Dictionary<string, HashSet<string>>();
        int yes = 0, any = 0;
        for (int i = 0; i < 300; i++)
        {
            var d = task.Get(i);
            AssertAnswerFollowsFromScene(task.Scene(i), d);
            types[d.Meta("question_type")!] = types.GetValueOrDefault(d.Meta("question_type")!) + 1;
            (answers.TryGetValue(d.Meta("question_type")!, out var set) ? set : answers[d.Meta("question_type")!] = []).Add(d.Meta("answer")!);
            if (d.Meta("question_type") == "any_kind") { any++; if (d.Meta("answer") == "yes") yes++; }
        }
        Assert.Equal(GridText.QuestionTypes.Order(), types.Keys.Order());
        Assert.InRange(GridText.CoarseQuestionTypes.Sum(t => types[t]), 60, 120);          // 0.3 of 300
        Assert.InRange(yes, any * 0.3, any * 0.7);                                          // balanced yes/no
        // no coarse type has a constant answer on default scenes (an item count did: every cell is filled, always 16)
        Assert.All(GridText.CoarseQuestionTypes, t => Assert.True(answers[t].Count >= 2, $"{t} always answers {string.Join(",", answers[t])}"));
        // the coarse weights come after the fine ones, and a weighted draw with zero weights appended picks what it picked
        // without them: the default mix draws the questions it drew before the coarse types existed
        for (ulong seed = 0; seed < 200; seed++)
            Assert.Equal(new SeededRandom(seed).ChooseWeighted([0.4, 0.3, 0.15, 0.15]), new SeededRandom(seed).ChooseWeighted(new VqaQuestionMix().Weights));
        Assert.Throws<ArgumentException>(() => new VqaQuestionMix().WithCoarse(1));
    }

    [Fact]
    public void Several_questions_per_image_follow_the_first_each_answer_a_target_and_answerable_from_the_scene()
    {
        var one = GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 3));
        var four = (GridTask)GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 3) { QuestionsPerImage = 4 });
        var colours = GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 3) { QuestionsPerImage = 4, Questions = new VqaQuestionMix(0, 1, 0, 0) });
        for (int i = 0; i < 20; i++)
        {
            var single = one.Get(i);
            var d = four.Get(i);
            Assert.Equal(1 + 2 * 4, d.Segments.Count);
            // the first question is the one-question document's, so evaluation data does not change
            Assert.Equal(((TextSegment)single.Segments[1]).Text, ((TextSegment)d.Segments[1]).Text);
            Assert.Equal(single.Meta("answer"), d.Meta("answer"));
            var scene = four.Scene(i);
            for (int n = 1; n < 4; n++)
            {
                var prompt = Assert.IsType<TextSegment>(d.Segments[1 + 2 * n]);
                var answer = Assert.IsType<TextSegment>(d.Segments[2 + 2 * n]);
                Assert.False(prompt.Target);
                Assert.True(answer.Target);
                Assert.StartsWith(" Question: ", prompt.Text);
                Assert.EndsWith(" Short answer:", prompt.Text);
                // the answer before this question ends with its period, in the target: the model learns to stop
                Assert.EndsWith(".", ((TextSegment)d.Segments[2 * n]).Text);
                Assert.True(((TextSegment)d.Segments[2 * n]).Target);
            }
            Assert.DoesNotContain(".", ((TextSegment)d.Segments[^1]).Text);   // the last ends with </s>
            // with colour questions only, every answer is the colour of the cell the question names
            var c = colours.Get(i);
            for (int n = 0; n < 4; n++)
            {
                string question = ((TextSegment)c.Segments[1 + 2 * n]).Text;
                string colour = ((TextSegment)c.Segments[2 + 2 * n]).Text.Trim().TrimEnd('.');
                Assert.Contains(scene.Items, item => item.Color == colour && question.Contains(GridCells.Phrase(scene.GridSide, item.Row, item.Column) + "?"));
            }
        }
        Assert.Throws<ArgumentException>(() => GridTasks.Create("glyph-vqa", new GridTaskOptions { QuestionsPerImage = 0 }));
    }

    [Fact]
    public void Question_mix_can_restrict_to_one_type()
    {
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions { Questions = new VqaQuestionMix(0, 1, 0, 0) });
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal("color_at_cell", task.Get(i).Meta("question_type")));
        var e = Assert.Throws<ArgumentException>(() => GridTasks.Create("glyph-vqa", new GridTaskOptions { Questions = new VqaQuestionMix(0, 0, 0, 0) }));
        Assert.Contains("VqaQuestionMix", e.Message);
    }

    [Fact]
    public void Row_captions_name_every_cell_row_by_row_in_under_70_words_and_are_the_only_reference()
    {
        var task = (GridTask)GridTasks.Create("glyph-caption", new GridTaskOptions(Seed: 2) { CaptionStyle = GridCaptionStyle.Rows });
        for (int i = 0; i < 20; i++)
        {
            var d = task.Get(i);
            var caption = Assert.IsType<TextSegment>(d.Segments[1]).Text;
            Assert.Equal([caption], JsonText.ParseArray(d.Meta("captions")!));
            var scene = task.Scene(i);
            var rows = caption.Split(". ");
            Assert.Equal(scene.GridSide, rows.Length);
            for (int row = 0; row < scene.GridSide; row++)
            {
                var expected = scene.Items.Where(x => x.Row == row).OrderBy(x => x.Column).Select(x => $"{x.Color} {x.Kind.Noun}").ToList();
                Assert.Equal($"row {row + 1}: " + (expected.Count == 0 ? "empty" : string.Join(", ", expected)), rows[row]);
            }
            // the whole 4×4 description fits the small preset's 88-token text window with room to spare
            Assert.InRange(System.Text.RegularExpressions.Regex.Matches(caption, @"\w+|[^\w\s]").Count, 40, 70);
        }
        // the varied style is unchanged by the option's existence
        DataAssert.SameDocument(GridTasks.Create("glyph-caption", new GridTaskOptions(Seed: 2)).Get(3),
            GridTasks.Create("glyph-caption", new GridTaskOptions(Seed: 2) { CaptionStyle = GridCaptionStyle.Varied }).Get(3));
    }

    [Fact]
    public void Caption_documents_target_one_of_several_references_that_describe_every_glyph()
    {
        var task = (GridTask)GridTasks.Create("glyph-caption", new GridTaskOptions(Scene: new GlyphSceneOptions(GridSide: 3)));
        for (int i = 0; i < 20; i++)
        {
            var d = task.Get(i);
            Assert.Equal(2, d.Segments.Count);
            Assert.IsType<ImageSegment>(d.Segments[0]);
            var caption = Assert.IsType<TextSegment>(d.Segments[1]);
            Assert.True(caption.Target);
            var refs = JsonText.ParseArray(d.Meta("captions")!);
            Assert.True(refs.Count >= 3);
            Assert.Contains(caption.Text, refs);
            Assert.Equal(caption.Text, d.Meta("caption"));
            var scene = task.Scene(i);
            foreach (string r in refs)
            {
                Assert.Equal(r.ToLowerInvariant(), r);
                foreach (var item in scene.Items) Assert.Contains(GridText.Describe(item), r);
            }
        }
        var first = JsonText.ParseArray(task.Get(0).Meta("captions")!)[0];
        Assert.Matches(@"^an? \w+ [\w ]+ top left, ", first);
    }

    [Fact]
    public void Grounding_boxes_are_0_to_999_and_contain_the_glyphs_drawn_pixels()
    {
        var task = (GridTask)GridTasks.Create("glyph-grounding", new GridTaskOptions(Seed: 2));
        for (int i = 0; i < 10; i++)
        {
            var d = task.Get(i);
            Assert.Null(d.Meta("scene_retry"));
            var prompt = Assert.IsType<TextSegment>(d.Segments[1]);
            Assert.False(prompt.Target);
            Assert.Matches(@"^Where is the \w+ [\w ]+\? Box:$", prompt.Text);
            var target = Assert.IsType<TextSegment>(d.Segments[2]);
            Assert.Matches(@"^ \(\d{3},\d{3}\)\(\d{3},\d{3}\)$", target.Text);
            Assert.Equal("64", d.Meta("image_size"));

            var scene = (GlyphScene)task.Scene(i);
            var item = scene.Items.Single(it => GridText.CellKey(it) == d.Meta("cell"));
            Assert.Equal($"Where is the {item.Color} {item.Kind.Noun}? Box:", prompt.Text);
            Assert.Single(scene.Items, it => it.Color == item.Color && it.Kind == item.Kind); // unambiguous
            Assert.Equal(item.Box.ToJson(), d.Meta("box"));
            var (x1, y1, x2, y2) = PixelBox.ParseGroundingText(target.Text)!.Value;
            double s = 64 / 999.0;
            int g = scene.Items.ToList().IndexOf(item);
            Assert.All(GlyphSceneTests.DrawnPixels(scene, g), p =>
                Assert.True(p.X >= x1 * s && p.X + 1 <= x2 * s + 1e-9 && p.Y >= y1 * s && p.Y + 1 <= y2 * s + 1e-9, $"pixel {p} outside {target.Text}"));
        }
    }

    [Fact]
    public void Grounding_redraws_a_scene_without_a_unique_item()
    {
        // one kind and one colour in a 2×2 grid: never unique, so the retry streams must find a scene with one glyph
        var scene = new GlyphSceneOptions(ImageSize: 32, GridSide: 2, FillProbability: 0.3) { Kinds = GlyphKindSet.Shapes, ColorCount = 1 };
        var d = GridTasks.Create("glyph-grounding", new GridTaskOptions(Scene: scene)).Get(0);
        Assert.Matches(@"^ \(\d{3},\d{3}\)\(\d{3},\d{3}\)$", ((TextSegment)d.Segments[2]).Text);
    }

    [Fact]
    public void Fewshot_documents_hold_k_solved_prompt_shots_before_the_query()
    {
        foreach (int k in new[] { 0, 2, 4, 8 })
        {
            var d = GridTasks.Create("glyph-fewshot", new GridTaskOptions { Shots = k }).Get(3);
            Assert.Equal(k.ToString(CultureInfo.InvariantCulture), d.Meta("shots"));
            Assert.Equal(k + 1, d.Images.Count());
            Assert.Equal(2 * k + 3, d.Segments.Count);
            for (int s = 0; s < k; s++)
            {
                Assert.IsType<ImageSegment>(d.Segments[2 * s]);
                var shot = Assert.IsType<TextSegment>(d.Segments[2 * s + 1]);
                Assert.False(shot.Target);
                Assert.Matches(@"^Question: .+\? Short answer: \w+$", shot.Text);
            }
            Assert.IsType<ImageSegment>(d.Segments[2 * k]);
            Assert.False(((TextSegment)d.Segments[2 * k + 1]).Target);
            Assert.Equal(" " + d.Meta("answer"), ((TextSegment)d.Segments[2 * k + 2]).Text);
            Assert.Single(d.Segments, s => s is TextSegment { Target: true });
        }
    }

    [Fact]
    public void Multi_image_questions_are_about_an_earlier_image()
    {
        var task = (GridTask)GridTasks.Create("glyph-multi-image", new GridTaskOptions(Seed: 9));
        var counts = new HashSet<int>();
        for (int i = 0; i < 40; i++)
        {
            var d = task.Get(i);
            int n = int.Parse(d.Meta("images")!, CultureInfo.InvariantCulture), j = int.Parse(d.Meta("image_index")!, CultureInfo.InvariantCulture);
            counts.Add(n);
            Assert.InRange(n, 2, 3);
            Assert.InRange(j, 0, n - 2);
            Assert.Equal(n, d.Images.Count());
            Assert.All(d.Segments.Take(n), s => Assert.IsType<ImageSegment>(s));
            Assert.StartsWith($"Question: in the {d.Meta("image_ordinal")} picture, ", ((TextSegment)d.Segments[n]).Text);
            var stripped = new InterleavedDocument(d.Segments, d.Id, new Dictionary<string, string>(d.Metadata!)
            {
                ["question"] = d.Meta("question")!.Replace($"in the {d.Meta("image_ordinal")} picture, ", ""),
            });
            AssertAnswerFollowsFromScene(task.Scene(i, j), stripped);
        }
        Assert.Equal([2, 3], counts.Order());
    }

    [Fact]
    public void Splits_share_no_scene()
    {
        var keys = new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test }.Select(split =>
        {
            var task = (GridTask)GridTasks.Create("glyph-vqa", new GridTaskOptions(Seed: 0, Split: split, Scene: new GlyphSceneOptions(GridSide: 3)));
            return Enumerable.Range(0, 1000).Select(i => task.Scene(i).LayoutKey()).ToHashSet();
        }).ToArray();
        Assert.All(keys, k => Assert.Equal(1000, k.Count));
        Assert.Empty(keys[0].Intersect(keys[1]));
        Assert.Empty(keys[0].Intersect(keys[2]));
        Assert.Empty(keys[1].Intersect(keys[2]));
        Assert.Equal("glyph-vqa/test/0", GridTasks.Create("glyph-vqa", new GridTaskOptions(Split: DataSplit.Test)).Get(0).Id);
    }

    [Fact]
    public void Images_render_lazily_at_the_configured_size()
    {
        using var scope = NewDisposeScope();
        var d = GridTasks.Create("glyph-vqa", new GridTaskOptions(Scene: new GlyphSceneOptions(ImageSize: 224, GridSide: 3))).Get(0);
        Assert.Equal(new long[] { 3, 224, 224 }, d.Images.Single().Load().shape);
        Assert.Equal("224", d.Meta("image_size"));
        Assert.Equal("3", d.Meta("grid_side"));
    }

    [Fact]
    public void Text_to_image_documents_are_the_row_caption_then_the_scene_with_its_layout()
    {
        var task = GridTasks.Create("glyph-text-to-image", new GridTaskOptions(4, DataSplit.Test, new GlyphSceneOptions(ImageSize: 32, GridSide: 3)));
        Assert.True(GridTasks.IsGeneration(task.Name) && GridTasks.IsGeneration("fashion-text-to-image") && !GridTasks.IsGeneration("glyph-caption"));
        for (int i = 0; i < 5; i++)
        {
            var d = task.Get(i);
            var scene = task.Scene(i);
            Assert.Equal(GridText.RowCaption(scene), Assert.IsType<TextSegment>(d.Segments[0]).Text);
            Assert.IsType<ImageSegment>(d.Segments[1]);
            var layout = MMInterleaved.Evaluation.CellLayout.Parse(d.Meta("layout")!);
            Assert.Equal(scene.Items.Select(it => (it.Row, it.Column, it.Color)), layout.Cells);
            Assert.Null(d.Meta("captions"));   // not scored as captioning
        }
    }

    [Fact]
    public void Seg_to_image_documents_are_the_map_the_caption_then_the_scene_and_the_map_paints_each_item_with_its_kind()
    {
        var options = new GridTaskOptions(4, DataSplit.Test, new GlyphSceneOptions(ImageSize: 32, GridSide: 2));
        var task = (GridSegToImageTask)GridTasks.Create("glyph-seg-to-image", options);
        Assert.True(GridTasks.IsGeneration(task.Name));
        var kinds = task.Sampler.Kinds;
        for (int i = 0; i < 6; i++)
        {
            var d = task.Get(i);
            var scene = task.Scene(i);
            Assert.Equal(3, d.Segments.Count);
            Assert.Equal(GridText.RowCaption(scene) + ".", Assert.IsType<TextSegment>(d.Segments[1]).Text);
            Assert.Equal(string.Join(",", kinds.Select(k => k.Name)), d.Meta(GridSegToImageTask.ClassesKey));
            using var map = Assert.IsType<ImageSegment>(d.Segments[0]).Load();
            using var target = Assert.IsType<ImageSegment>(d.Segments[2]).Load();
            Assert.Equal(new long[] { 3, 32, 32 }, map.shape);
            using (var rendered = scene.Render()) Assert.True(rendered.eq(target).all().item<bool>());
            var classes = SegmentationMap.Decode(map, kinds.Count + 1);
            Assert.Equal(task.ClassMask(i), classes);
            // every item's class fills part of its own box and nothing of the map lies outside the items' boxes
            for (int p = 0; p < classes.Length; p++)
            {
                if (classes[p] == 0) continue;
                int x = p % 32, y = p / 32;
                var owner = scene.Items.Where(it => it.Box.Contains(x, y)).ToList();
                Assert.Contains(owner, it => kinds[classes[p] - 1].Name == it.Kind.Name);
            }
            foreach (var item in scene.Items)
            {
                int k = 1 + kinds.Select(x => x.Name).ToList().IndexOf(item.Kind.Name);
                int inside = 0;
                for (int y = item.Box.Y1; y < item.Box.Y2; y++)
                    for (int x = item.Box.X1; x < item.Box.X2; x++)
                        if (classes[y * 32 + x] == k) inside++;
                Assert.True(inside > 0, $"{item.Kind.Name} at {item.Row},{item.Column} painted nowhere");
            }
        }
    }
}
