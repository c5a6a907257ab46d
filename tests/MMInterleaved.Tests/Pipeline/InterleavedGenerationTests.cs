using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Diffusion;
using MMInterleaved.Evaluation;
using MMInterleaved.Language;
using MMInterleaved.Model;
using MMInterleaved.Pipeline;
using MMInterleaved.Tests.Data;
using MMInterleaved.Visualization;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Pipeline;

/// <summary>Image and interleaved generation on the pipeline (a random tiny model with its image decoder): what the
/// condition reads, determinism, write-back, stop rules, the page and the text-to-image evaluation.</summary>
[Collection(TorchCollection.Name)]
public sealed class InterleavedGenerationTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly GridTask Task = GridTasks.Create("glyph-text-to-image", new GridTaskOptions(5, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32, GridSide: 3)));

    private static readonly ImageSamplingOptions Fast = new() { Scheduler = "ddim", Steps = 2, GuidanceScale = 2 };

    private static MMInterleavedPipeline Tiny()
    {
        var config = ModelPresets.Tiny with { ImageDecoder = ImageDecoderPresets.For("tiny", ModelPresets.Tiny) };
        var tokenizer = WordTokenizer.FromCorpus(Task.Take(100).SelectMany(d => d.Segments.OfType<TextSegment>().Select(t => t.Text)),
            config.Decoder.VocabSize, keepMostFrequent: true);
        manual_seed(11);
        return new MMInterleavedPipeline(new MMInterleavedModel(config), tokenizer);
    }

    private static InterleavedDocument Caption(long i) => Task.Get(i) with { Segments = Task.Get(i).Segments.Take(1).ToList() };

    [Fact]
    public void The_condition_never_reads_the_pixels_of_the_image_it_generates_but_reads_the_earlier_image()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        InterleavedDocument With(Tensor last, Tensor earlier) => new([new ImageSegment(() => earlier.clone()), new TextSegment("row 1: red star"), new ImageSegment(() => last.clone())]);
        Tensor a = rand(3, 32, 32), b = rand(3, 32, 32), c = rand(3, 32, 32);
        ImageConditions Of(InterleavedDocument d) => pipeline.InEvalMode(() => pipeline.Model.ConditionImages(pipeline.Processor.Prompts([d])));
        var first = Of(With(a, c));
        var other = Of(With(b, c));
        Assert.Equal(2, first.Images.Count);
        Assert.True(first.Condition[1].eq(other.Condition[1]).all().item<bool>());                       // own pixels unseen
        Assert.True(first.Features!.Rows([1]).Levels[0].eq(other.Features!.Rows([1]).Levels[0]).all().item<bool>());
        var moved = Of(With(a, b));                                                                     // the earlier image is read
        Assert.False(first.Condition[1].eq(moved.Condition[1]).all().item<bool>());
        Assert.False(first.Features.Rows([1]).Levels[0].eq(moved.Features!.Rows([1]).Levels[0]).all().item<bool>());
    }

    [Fact]
    public void Images_are_deterministic_per_seed_and_do_not_depend_on_batch_mates()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        var pair = pipeline.GenerateImages([Caption(0), Caption(1)], Fast, candidates: 2);
        Assert.Equal([2, 2, 3, 32, 32], pair.shape);
        Assert.True(pair.min().item<float>() >= 0 && pair.max().item<float>() <= 1);
        var alone = pipeline.GenerateImages([Caption(1)], Fast, candidates: 2);
        Assert.True(alone[0].allclose(pair[1], rtol: 1e-4, atol: 1e-5));
        Assert.False(pair[0, 0].allclose(pair[0, 1]));                                                   // candidates differ
        Assert.True(pipeline.GenerateImage(Caption(1), Fast).allclose(alone[0, 0], rtol: 1e-4, atol: 1e-5));
        Assert.False(pipeline.GenerateImage(Caption(1), Fast with { Seed = 5 }).allclose(alone[0, 0]));
    }

    [Fact]
    public void A_forced_image_is_written_back_into_the_context_and_the_page_shows_it()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        var options = new InterleavedGenerationOptions { Image = Fast, ForceImage = true, Candidates = 2, StopAfterImage = false, MaxTextSegments = 1, Text = new GenerationOptions { MaxNewTokens = 3 } };
        var result = pipeline.GenerateInterleaved(Caption(2), options);
        Assert.Equal(1, result.FirstGenerated);
        var image = Assert.Single(result.Images);
        Assert.Equal(1, image.SegmentIndex);
        Assert.Equal([0L, 1L], image.Seeds);
        var written = Assert.IsType<ImageSegment>(result.Document.Segments[1]);
        Assert.True(written.Load().eq(image.Image).all().item<bool>());
        Assert.Contains(result.StopReason, new[] { "eos", "max_text_segments", "empty" });
        Assert.True(result.Document.Segments.Count <= 3);

        string page = InterleavedPage.Write(folder.File("page"), [result]);
        Assert.True(File.Exists(folder.File("page/0-1.png")) && File.Exists(folder.File("page/0-1-c1.png")));
        Assert.Contains("0-1.png", File.ReadAllText(page));
        Assert.Contains("base64", InterleavedPage.ToView([result]).Html);
    }

    [Fact]
    public void The_decoders_mmfs_sampling_points_lie_on_the_earlier_image_and_a_prompt_without_one_is_refused()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        var earlier = Task.Get(4);
        var prompt = new InterleavedDocument([.. earlier.Segments, new TextSegment(Task.Get(5).Meta("caption")!)]);
        var config = pipeline.Config.ImageDecoder!;
        var points = pipeline.DecoderSamplingPoints(prompt, block: 0, pixels: [0, 17]);
        Assert.Equal([1L, 2, config.Mmfs!.NumHeads, 1, config.Mmfs.NumLevels, config.Mmfs.NumPoints, 2], points.Locations!.shape);
        Assert.True(points.Weights!.isfinite().all().item<bool>());
        Assert.True(points.Weights.sum().item<float>() > 0);   // the earlier image gets attention mass
        Assert.Null(pipeline.Model.ImageDecoder!.Decoder.Mmfs!.Block(0).InspectPositions);
        Assert.Contains("earlier image", Assert.Throws<ArgumentException>(() => pipeline.DecoderSamplingPoints(Caption(1), 0, [0])).Message);
    }

    [Fact]
    public void Stop_rules_hold_and_a_model_without_a_decoder_refuses_images_clearly()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        var once = pipeline.GenerateInterleaved(Caption(3), new InterleavedGenerationOptions { Image = Fast, ForceImage = true });
        Assert.Equal("max_images", once.StopReason);
        Assert.Equal(2, once.Document.Segments.Count);
        var text = pipeline.GenerateInterleaved(Caption(3), new InterleavedGenerationOptions { MaxImages = 0, MaxTextSegments = 1, Text = new GenerationOptions { MaxNewTokens = 2 } });
        Assert.Empty(text.Images);
        Assert.True(text.Document.Segments.Count <= 2);
        Assert.Throws<ArgumentException>(() => new InterleavedGenerationOptions { ForceImage = true, MaxImages = 0 }.Validated());

        var tokenizer = pipeline.Tokenizer;
        manual_seed(1);
        var plain = new MMInterleavedPipeline(new MMInterleavedModel(ModelPresets.Tiny), tokenizer);
        var error = Assert.Throws<InvalidOperationException>(() => plain.GenerateImages([Caption(0)], Fast));
        Assert.Contains("image decoder", error.Message);
    }

    [Fact]
    public void The_text_to_image_evaluation_reads_cells_and_its_ceiling_is_the_real_scenes()
    {
        using var scope = NewDisposeScope();
        var pipeline = Tiny();
        var queries = Task.Take(3).ToList();
        Assert.Equal(TaskMetric.CellColors, TaskEvaluator.MetricOf(queries));
        var result = new TaskEvaluator(pipeline).EvaluateImages(queries, Fast);
        Assert.Equal(100, result.Metrics["cell_color_real"]);
        Assert.InRange(result.Metrics["cell_color"], 0, 100);
        Assert.Equal(result.Metrics["cell_color"] - result.Metrics["cell_color_other_scene"], result.Metrics["cell_color_own_minus_other"], 9);
        Assert.Equal(3, result.Metrics["prompts"]);
        Assert.InRange(result.Metrics["condition_spread"], 1e-6, 1);                       // different captions, different conditions
        Assert.Equal(0, ImageGenerationEvaluation.Spread(pipeline.ImageConditionsAfter([Caption(0), Caption(0)])), 12);

        // scoring the real scenes as if generated: own = 100, and the paired difference is what another layout misses
        var real = stack(queries.Select(q => q.Images.Last().Load()).ToArray());
        var perfect = new ImageGenerationEvaluation(queries, real);
        Assert.Equal(100, perfect.Metrics["cell_color"]);
        Assert.False(perfect.Metrics.ContainsKey("fid"));                                 // no InceptionV3: no FID
        using (var inception = new MMInterleaved.Evaluation.Inception.FidInceptionV3())
            Assert.True(Math.Abs(new ImageGenerationEvaluation(queries, real, null, inception).Metrics["fid"]) < 1e-4);
        Assert.True(perfect.Metrics["cell_color_other_scene"] < 100);
        Assert.Equal(queries.Sum(q => CellLayout.Parse(q.Meta("layout")!).Cells.Count),
            Enumerable.Range(0, perfect.Confusion.Colors.Count).Sum(k => perfect.Confusion.Counts[k, k]));   // every cell on the diagonal
        perfect.Write(folder.File("eval"));
        Assert.True(File.Exists(folder.File("eval/2-generated.png")) && File.Exists(folder.File("eval/image_scores.json")) && File.Exists(folder.File("eval/confusion.json")));
    }

    [Fact]
    public void Storytelling_generates_the_last_frame_or_every_frame_in_turn_and_writes_the_strips()
    {
        using var scope = NewDisposeScope();
        var story = GridTasks.Create("glyph-story", new GridTaskOptions(5, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32, GridSide: 2) { FillProbability = 0.5 }) { MinFrames = 2, MaxFrames = 3 });
        var queries = story.Take(3).ToList();
        var evaluator = new TaskEvaluator(Tiny());
        var last = evaluator.EvaluateStory(queries, allFrames: false, Fast);
        Assert.Equal(3, last.Metrics["frames_scored"]);
        Assert.InRange(last.Metrics["similarity"], -1, 1);
        Assert.InRange(last.Metrics["similarity_previous"], 0.5, 1);     // consecutive real frames share most of the picture
        Assert.InRange(last.Metrics["similarity_centred"], -1, 1);
        // centred on the real frames' mean, the previous real frame keeps most of its agreement, a tiny untrained model's frame does not
        Assert.True(last.Metrics["similarity_centred_previous"] > last.Metrics["similarity_centred"], $"previous {last.Metrics["similarity_centred_previous"]:F3}, generated {last.Metrics["similarity_centred"]:F3}");
        var all = evaluator.EvaluateStory(queries, allFrames: true, Fast);
        Assert.Equal(queries.Sum(q => q.Images.Count() - 1), all.Metrics["frames_scored"]);
        all.Write(folder.File("story"));
        Assert.True(File.Exists(folder.File("story/story.html")) && File.Exists(folder.File("story/0-f1-generated.png")) && File.Exists(folder.File("story/0-f0-real.png")));
        Assert.False(File.Exists(folder.File("story/0-f0-generated.png")));                // the first frame is given
    }

    [Fact]
    public void The_seg_to_image_evaluation_segments_the_generated_scene_against_its_input_map()
    {
        using var scope = NewDisposeScope();
        var segTask = GridTasks.Create("glyph-seg-to-image", new GridTaskOptions(5, DataSplit.Validation, new GlyphSceneOptions(ImageSize: 32, GridSide: 1) { Kinds = GlyphKindSet.Shapes }));
        var queries = segTask.Take(4).ToList();
        Assert.Equal(TaskMetric.Segmentation, TaskEvaluator.MetricOf(queries));
        var segmenter = GlyphSegmenter.Train(segTask.Sampler, new SegmenterTrainingOptions(Steps: 300, BatchSize: 8, Width: 8));
        Assert.Contains("Segmenter", Assert.Throws<ArgumentException>(() => new TaskEvaluator(Tiny()).Evaluate(queries)).Message);
        var result = new TaskEvaluator(Tiny()) { Segmenter = new(() => segmenter) }.Evaluate(queries) as SegmentationEvaluation;
        Assert.NotNull(result);
        Assert.InRange(result!.Metrics["miou"], 0, 1);
        Assert.Equal(result.Metrics["miou"] - result.Metrics["miou_other_map"], result.Metrics["miou_own_minus_other"], 12);
        Assert.True(result.Metrics.ContainsKey("cell_color"));

        // the real scenes scored as if generated: own = the ceiling, above what another map gives
        var real = stack(queries.Select(q => q.Images.Last().Load()).ToArray());
        var perfect = new SegmentationEvaluation(queries, real, segmenter);
        Assert.Equal(perfect.Metrics["miou_real"], perfect.Metrics["miou"], 12);
        Assert.Equal(result.Metrics["miou_real"], perfect.Metrics["miou_real"], 12);
        Assert.True(perfect.Metrics["miou"] > perfect.Metrics["miou_other_map"] + 0.1, $"own {perfect.Metrics["miou"]:F3}, other {perfect.Metrics["miou_other_map"]:F3}");
        // the cells' glyph kinds, read from the same segmentations: the real scenes reach the kind ceiling, both right
        // (kind and colour) at most either alone
        Assert.Equal(perfect.Metrics["cell_kind_real"], perfect.Metrics["cell_kind"], 12);
        Assert.True(perfect.Metrics["cell_kind"] >= 50, $"kind read right in {perfect.Metrics["cell_kind"]:F0} % of real cells");
        Assert.True(perfect.Metrics["cell_fidelity"] <= Math.Min(perfect.Metrics["cell_kind"], perfect.Metrics["cell_color"]) + 1e-9);
        Assert.True(result.Metrics.ContainsKey("cell_kind_other_scene") && result.Metrics.ContainsKey("cell_fidelity_real"));
        Assert.InRange(perfect.Metrics["miou_se"], 1e-6, 0.5);
        Assert.InRange(perfect.Metrics["fid_glyph"], -1e-4, 1e-4);                         // identical sets (rounding may go below 0)
        Assert.True(result.Metrics["fid_glyph"] > 1e-3, $"fid_glyph of an untrained model {result.Metrics["fid_glyph"]}");
        using (var features = segmenter.Features(real)) Assert.Equal(new long[] { 4, 4 * segmenter.Width }, features.shape);
        // each image is segmented once, by the cell reading, and the mIoU reuses it: the same classes as a fresh segmentation
        using (var first = real[0]) Assert.Equal(segmenter.Segment(first), perfect.CellColors.Segmented![0]);
        Assert.Equal(perfect.CellColors.Segmented, perfect.CellColors.SegmentedReal);      // generated = real here
        // text-to-image scoring with a segmenter reports FID-glyph as well
        var t2i = new ImageGenerationEvaluation(queries, real, null, null, segmenter);
        Assert.Equal(perfect.Metrics["fid_glyph"], t2i.Metrics["fid_glyph"], 12);
        Assert.False(new ImageGenerationEvaluation(queries, real).Metrics.ContainsKey("fid_glyph"));
        perfect.Write(folder.File("seg"));
        Assert.True(File.Exists(folder.File("seg/3-map.png")) && File.Exists(folder.File("seg/3-segmented.png")) && File.Exists(folder.File("seg/segmentation.html")));
        Assert.Contains("miou", File.ReadAllText(folder.File("seg/scores.json")));
    }
}
