using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Diffusion;
using MMInterleaved.Language;
using MMInterleaved.Pipeline;
using MMInterleaved.Vision;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Runs a model on held-out documents and scores it with the official metrics: VQA accuracy (<see cref="VqaEvaluator"/>)
/// for [image, "Question: q Short answer:", " a"] documents, BLEU/CIDEr-D (<see cref="CaptionScorer"/>) for [image,
/// caption] documents. Zero-shot or few-shot: k solved examples from a shot pool, chosen at random (seeded per query)
/// or by retrieval, placed before the query image (reference-spec §9). Generation is greedy and batched (left padding).
/// The one evaluation path: training-time evaluation, `mmi eval`, the notebooks and the ablations all score through it.
/// </summary>
public sealed class TaskEvaluator
{
    private readonly MMInterleavedPipeline pipeline;

    /// <summary>Evaluates <paramref name="pipeline"/>'s model.</summary>
    public TaskEvaluator(MMInterleavedPipeline pipeline, int batchSize = 16)
    {
        this.pipeline = pipeline;
        BatchSize = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be positive");
    }

    /// <summary>What the metadata of <paramref name="queries"/> can be scored with: <c>captions</c> → caption metrics,
    /// <c>box</c> → grounding, <c>answers</c> or <c>answer</c> → VQA accuracy; null when they carry none of these (or
    /// there are none).</summary>
    public static TaskMetric? MetricOf(IReadOnlyList<InterleavedDocument> queries) =>
        queries.Count == 0 ? null
        : queries[0].Meta(Data.Tasks.GlyphStoryTask.FrameLayoutsKey) is not null ? TaskMetric.Story
        : queries[0].Meta(Data.Tasks.GridSegToImageTask.ClassesKey) is not null ? TaskMetric.Segmentation
        : queries[0].Meta(Data.Tasks.GridTextToImageTask.LayoutKey) is not null ? TaskMetric.CellColors
        : queries[0].Meta("captions") is not null ? TaskMetric.Captions
        : queries[0].Meta("box") is not null ? TaskMetric.Grounding
        : queries[0].Meta("answers") is not null || queries[0].Meta("answer") is not null ? TaskMetric.Vqa
        : null;

    /// <summary>Scores <paramref name="queries"/> with the metric their metadata calls for (<see cref="MetricOf"/>); throws
    /// naming the keys it looked for when there is none.</summary>
    public ITaskEvaluation Evaluate(IReadOnlyList<InterleavedDocument> queries, IDocumentSource? shotPool = null, FewShotOptions? fewShot = null, bool extractAnswer = false) =>
        MetricOf(queries) switch
        {
            TaskMetric.Captions => EvaluateCaptions(queries, shotPool, fewShot),
            TaskMetric.Grounding => EvaluateGrounding(queries, shotPool, fewShot),
            TaskMetric.Vqa => EvaluateVqa(queries, shotPool, fewShot, extractAnswer),
            TaskMetric.CellColors => EvaluateImages(queries),
            TaskMetric.Story => EvaluateStory(queries, StoryAllFrames),
            TaskMetric.Segmentation => EvaluateSegmentation(queries, Segmenter?.Value
                ?? throw new ArgumentException($"held-out document {queries[0].Id} is segmentation-to-image: give the evaluator a Segmenter (GlyphSegmenter.ForSampler) to score it.")),
            _ => throw new ArgumentException(queries.Count == 0 ? "no held-out documents to score."
                : $"held-out document {queries[0].Id} has no 'answers', 'answer', 'captions', 'box' or 'layout' metadata: nothing to score it with."),
        };

    /// <summary>How <see cref="EvaluateImages"/> samples by default: DDIM, 50 steps, guidance 3.5 (the reference's
    /// evaluation scale; DDIM instead of its 250 DDPM steps, to fit a CPU).</summary>
    public static ImageSamplingOptions DefaultImageSampling { get; } = new() { Scheduler = "ddim", Steps = 50, GuidanceScale = 3.5 };

    /// <summary>
    /// Text-to-image fidelity on <paramref name="queries"/> (documents whose last segment is the real image, with
    /// <c>layout</c> metadata): the image after everything before it is generated (seed 0, one per prompt, in batches) and
    /// read cell by cell (<see cref="ImageGenerationEvaluation"/>); with <paramref name="cellKinds"/> also each cell's glyph
    /// kind, by the <see cref="Segmenter"/> (made on first use: minutes).
    /// </summary>
    public ImageGenerationEvaluation EvaluateImages(IReadOnlyList<InterleavedDocument> queries, ImageSamplingOptions? sampling = null, bool cellKinds = false)
    {
        var (images, spread) = GenerateLastImages(queries, sampling);
        using (images) return new ImageGenerationEvaluation(queries, images, spread, Inception?.Value, cellKinds ? Segmenter?.Value : null);
    }

    /// <summary>
    /// Segmentation-to-image fidelity on <paramref name="queries"/> ([map, caption, scene] documents with <c>classes</c>
    /// metadata): the scene generated as in <see cref="EvaluateImages"/>, segmented by <paramref name="segmenter"/> and
    /// compared with the map (<see cref="SegmentationEvaluation"/>).
    /// </summary>
    public SegmentationEvaluation EvaluateSegmentation(IReadOnlyList<InterleavedDocument> queries, GlyphSegmenter segmenter, ImageSamplingOptions? sampling = null)
    {
        var (images, spread) = GenerateLastImages(queries, sampling);
        using (images) return new SegmentationEvaluation(queries, images, segmenter, spread, Inception?.Value);
    }

    /// <summary>
    /// Storytelling on <paramref name="queries"/> (glyph-story documents): the last frame generated from everything
    /// before it (VIST-like, Table 5b), or with <paramref name="allFrames"/> every frame after the first in turn, each
    /// generated frame written back into the context in place of the real one (Pororo-like story continuation from the
    /// given first frame, Table 5c); scored by <see cref="StoryEvaluation"/>, the similarity with the committed small
    /// encoder at the frames' size (<see cref="ImageSimilarity.TryForImageSize"/>, what `mmi score images` uses), or the
    /// model's own frozen encoder where none is committed.
    /// </summary>
    public StoryEvaluation EvaluateStory(IReadOnlyList<InterleavedDocument> queries, bool allFrames = false, ImageSamplingOptions? sampling = null)
    {
        var frames = queries.Select(_ => new List<(int Frame, Tensor Image)>()).ToList();
        try
        {
            if (!allFrames)
            {
                var (images, _) = GenerateLastImages(queries, sampling);
                using (images)
                    for (int i = 0; i < queries.Count; i++) frames[i].Add((queries[i].Images.Count() - 1, images[i].clone()));
            }
            else
            {
                sampling ??= DefaultImageSampling;
                int most = queries.Max(q => q.Images.Count()), total = queries.Sum(q => q.Images.Count() - 1), done = 0;
                for (int k = 1; k < most; k++)
                {
                    var active = Enumerable.Range(0, queries.Count).Where(i => queries[i].Images.Count() > k).ToList();
                    foreach (var chunk in active.Chunk(BatchSize))
                    {
                        var prompts = chunk.Select(i => StoryPrompt(queries[i], k, frames[i])).ToList();
                        using var images = pipeline.GenerateImages(prompts, sampling).select(1, 0);
                        for (int j = 0; j < chunk.Length; j++) frames[chunk[j]].Add((k, images[j].clone()));
                        Progress?.Invoke(done += chunk.Length, total);
                    }
                }
            }
            // an encoder independent of the model scored, as the paper scores with CLIP: the model's own frozen encoder
            // (random in the story presets) saturates the cosine; it stands in only where none is committed at this size
            using var scorer = ImageSimilarity.TryForImageSize(pipeline.Model.VisualTokenizer.Encoder.Config.ImageSize);
            return new StoryEvaluation(queries, frames.Select(f => (IReadOnlyList<(int, Tensor)>)f).ToList(),
                scorer ?? new ImageSimilarity(pipeline.Model.VisualTokenizer.Encoder), allFrames);
        }
        finally
        {
            foreach (var (_, image) in frames.SelectMany(f => f)) image.Dispose();
        }
    }

    /// <summary>Whether <see cref="Evaluate"/> generates every frame of a story in turn (else the last only).</summary>
    public bool StoryAllFrames { get; init; }

    // The document up to its frame k (exclusive), frames 1…k−1 replaced by the generated ones.
    private static InterleavedDocument StoryPrompt(InterleavedDocument story, int k, IReadOnlyList<(int Frame, Tensor Image)> made)
    {
        var segments = new List<DocumentSegment>();
        int image = 0;
        foreach (var segment in story.Segments)
        {
            if (segment is ImageSegment)
            {
                if (image == k) break;
                if (image > 0)
                {
                    var frame = made.Single(m => m.Frame == image).Image;
                    segments.Add(new ImageSegment(() => frame.clone()));
                    image++;
                    continue;
                }
                image++;
            }
            segments.Add(segment);
        }
        return story with { Segments = segments };
    }

    /// <summary>What scores segmentation-to-image in <see cref="Evaluate"/>, made on first use (training one takes
    /// minutes; <see cref="GlyphSegmenter.ForTask"/>); null: such queries are an error.</summary>
    public Lazy<GlyphSegmenter?>? Segmenter { get; init; }

    /// <summary>pytorch-fid's InceptionV3 for the real FID of generated images, loaded on first use
    /// (<see cref="Inception.FidInceptionV3.TryLoadDefault"/>); null, or a null value: no <c>fid</c> metric.</summary>
    public Lazy<Inception.FidInceptionV3?>? Inception { get; init; }

    // Each query's last image generated from everything before it (seed 0, batched), and the conditions' spread.
    private (Tensor Images, double Spread) GenerateLastImages(IReadOnlyList<InterleavedDocument> queries, ImageSamplingOptions? sampling)
    {
        sampling ??= DefaultImageSampling;
        var prompts = queries.Select(q => q.Segments[^1] is ImageSegment ? q with { Segments = q.Segments.Take(q.Segments.Count - 1).ToList() }
            : throw new ArgumentException($"held-out document {q.Id} does not end with an image: nothing to generate and compare.")).ToList();
        var images = new List<Tensor>();
        var conditions = new List<Tensor>();
        for (int start = 0; start < prompts.Count; start += BatchSize)
        {
            var batch = prompts.Skip(start).Take(BatchSize).ToList();
            images.Add(pipeline.GenerateImages(batch, sampling).select(1, 0));
            conditions.Add(pipeline.ImageConditionsAfter(batch));
            Progress?.Invoke(start + batch.Count, prompts.Count);
        }
        var all = cat(images, 0);
        using var condition = cat(conditions, 0);
        foreach (var t in images.Concat(conditions)) t.Dispose();
        return (all, ImageGenerationEvaluation.Spread(condition));
    }

    /// <summary>Prompts generated per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Raised after each batch with (queries done, queries in all).</summary>
    public event Action<int, int>? Progress;

    /// <summary>
    /// VQA accuracy on <paramref name="queries"/> (each with <c>question</c>, <c>answers</c> and <c>question_type</c>
    /// metadata). The answer is the generation before its first "." or, with <paramref name="extractAnswer"/>, the
    /// reference's <see cref="VqaAnswerExtractor"/> heuristic. Answer types: count → number, compare → yes/no, else other.
    /// </summary>
    public VqaEvaluation EvaluateVqa(IReadOnlyList<InterleavedDocument> queries, IDocumentSource? shotPool = null,
        FewShotOptions? fewShot = null, bool extractAnswer = false, int maxNewTokens = 8)
    {
        fewShot = (fewShot ?? new FewShotOptions()).Validated();
        var annotations = queries.Select((d, i) => Annotation(d, i)).ToList();
        var generated = Generate(queries, shotPool, fewShot, maxNewTokens);
        var predictions = generated.Select((text, i) => new VqaPrediction(i, queries[i].Meta("question")!,
            extractAnswer ? VqaAnswerExtractor.Extract(text) : FirstSentence(text), text, annotations[i].QuestionType)).ToList();
        var result = VqaEvaluator.Evaluate(annotations, predictions.ToDictionary(p => p.QuestionId, p => p.Answer));
        return new VqaEvaluation(predictions, annotations, result, fewShot);
    }

    /// <summary>BLEU-1…4 and CIDEr-D of captions generated for <paramref name="queries"/> against their <c>captions</c>
    /// metadata (a JSON array of references). Few-shot examples are [image, caption] pairs from the pool.</summary>
    public CaptionEvaluation EvaluateCaptions(IReadOnlyList<InterleavedDocument> queries, IDocumentSource? shotPool = null,
        FewShotOptions? fewShot = null, int maxNewTokens = 160)
    {
        fewShot = (fewShot ?? new FewShotOptions()).Validated();
        var references = queries.Select((d, i) => (Id: (long)i, Captions: JsonText.ParseArray(d.Meta("captions")
            ?? throw new ArgumentException($"caption query {d.Id} has no 'captions' metadata (a JSON array of reference captions).")))).ToList();
        var generated = Generate(queries, shotPool, fewShot, maxNewTokens);
        var predictions = generated.Select((text, i) => new CaptionPrediction(i, text.Trim())).ToList();
        var scores = CaptionScorer.Score(references.ToDictionary(r => r.Id, r => r.Captions),
            predictions.ToDictionary(p => p.ImageId, p => p.Caption));
        return new CaptionEvaluation(predictions, references.ToDictionary(r => r.Id, r => r.Captions), scores, fewShot);
    }

    /// <summary>Grounding accuracy on <paramref name="queries"/> ([image, "Where is …? Box:", " (x1,y1)(x2,y2)"] with
    /// <c>box</c> metadata [x1,y1,x2,y2] in pixels and <c>image_size</c>): the first valid box of each generation, scaled
    /// from the 0–999 grid, counts when its IoU with the truth is at least 0.5.</summary>
    public GroundingEvaluation EvaluateGrounding(IReadOnlyList<InterleavedDocument> queries, IDocumentSource? shotPool = null,
        FewShotOptions? fewShot = null, int maxNewTokens = 24)
    {
        fewShot = (fewShot ?? new FewShotOptions()).Validated();
        var truths = queries.Select(d =>
        {
            var box = JsonSerializer.Deserialize<float[]>(d.Meta("box") ?? throw new ArgumentException($"grounding query {d.Id} has no 'box' metadata."));
            int size = int.Parse(d.Meta("image_size") ?? throw new ArgumentException($"grounding query {d.Id} has no 'image_size' metadata."),
                System.Globalization.CultureInfo.InvariantCulture);
            if (box is not { Length: 4 }) throw new ArgumentException($"grounding query {d.Id}: 'box' must be [x1,y1,x2,y2].");
            return (Box: new ImageBox(box[0], box[1], box[2], box[3]), Size: size);
        }).ToList();
        var generated = Generate(queries, shotPool, fewShot, maxNewTokens);
        var samples = generated.Select((text, i) => new GroundingSample(text, truths[i].Box, truths[i].Size, truths[i].Size)).ToList();
        return new GroundingEvaluation(samples, GroundingAccuracy.Evaluate(samples), fewShot);
    }

    /// <summary>The answer part of a generation: the text before its first "." (the first cut of the reference's
    /// <c>extract_answer</c>), trimmed. A model trained on several questions per image writes "red. Question: …".</summary>
    public static string FirstSentence(string generated)
    {
        int stop = generated.IndexOf('.', StringComparison.Ordinal);
        return (stop >= 0 ? generated[..stop] : generated).Trim();
    }

    /// <summary>
    /// The shots chosen for each query: pool indices, least similar first for retrieval. Random: a seeded sample
    /// without replacement per query, so a query's shots do not depend on the other queries.
    /// </summary>
    public IReadOnlyList<int[]> ChooseShots(IReadOnlyList<InterleavedDocument> queries, IReadOnlyList<InterleavedDocument> pool, FewShotOptions fewShot)
    {
        int k = fewShot.Shots;
        if (k == 0) return queries.Select(_ => Array.Empty<int>()).ToList();
        if (fewShot.Selection == ShotSelection.Random)
            return queries.Select((_, i) =>
            {
                var random = SeededRandom.For((ulong)fewShot.Seed, 0x5307, (ulong)i);
                var order = Enumerable.Range(0, pool.Count).ToArray();
                for (int j = 0; j < k; j++)   // the first k steps of a Fisher–Yates shuffle
                {
                    int r = j + random.NextInt(order.Length - j);
                    (order[j], order[r]) = (order[r], order[j]);
                }
                return order.Take(k).ToArray();
            }).ToList();
        using var scope = NewDisposeScope();
        var similarity = ImageFeatures(queries).mm(ImageFeatures(pool).t());            // cosine: features are unit vectors
        var top = similarity.topk(k, dim: 1).indexes.flip(1);                           // most similar last
        return Enumerable.Range(0, queries.Count).Select(i => top[i].data<long>().Select(x => (int)x).ToArray()).ToList();
    }

    /// <summary>Unit-length image features of each document's first image (<see cref="ImageSimilarity.Features(Vision.ClipVisionAdapterModel, Tensor)"/>).</summary>
    public Tensor ImageFeatures(IReadOnlyList<InterleavedDocument> documents)
    {
        var parts = documents.Chunk(64).Select(chunk =>
        {
            using var images = stack(chunk.Select(FirstImage).ToArray());
            return ImageSimilarity.Features(pipeline.Model.VisualTokenizer.Encoder, images);
        }).ToList();
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        if (all.device == pipeline.Device) return all;
        using (all) return all.to(pipeline.Device);
    }

    private static Tensor FirstImage(InterleavedDocument document) =>
        document.Segments.OfType<ImageSegment>().FirstOrDefault()?.Load()
        ?? throw new ArgumentException($"document {document.Id} has no image; retrieval compares images.");

    private List<string> Generate(IReadOnlyList<InterleavedDocument> queries, IDocumentSource? shotPool, FewShotOptions fewShot, int maxNewTokens)
    {
        IReadOnlyList<InterleavedDocument> pool = [];
        if (fewShot.Shots > 0)
        {
            if (shotPool is null) throw new ArgumentException($"{fewShot.Shots}-shot evaluation needs a shot pool (training documents).");
            pool = shotPool.Take(fewShot.PoolSize).ToList();
            if (pool.Count < fewShot.Shots) throw new ArgumentException($"the shot pool {shotPool.Name} holds {pool.Count} documents; {fewShot.Shots} shots need more.");
        }
        int limit = pipeline.Config.CrossAttention.MaxImagesPerSequence;
        int mostImages = queries.Max(q => q.Segments.OfType<ImageSegment>().Count()) + fewShot.Shots;
        if (mostImages >= limit)
            throw new ArgumentException($"{fewShot.Shots} shots and the query make {mostImages} images in a prompt; the model's cross_attention.max_images_per_sequence " +
                $"({limit}) allows at most {limit - 1}.");
        var shots = ChooseShots(queries, pool, fewShot);
        var outputs = new List<string>(queries.Count);
        var processor = pipeline.Processor;
        for (int start = 0; start < queries.Count; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            var prompts = Enumerable.Range(start, Math.Min(BatchSize, queries.Count - start))
                .Select(i => processor.Prompt(WithShots(queries[i], shots[i].Select(j => pool[j])), dropTrailingTargetText: true)).ToList();
            var generated = pipeline.GenerateIds(processor.Prompts(prompts), new GenerationOptions { MaxNewTokens = maxNewTokens });
            outputs.AddRange(generated.Select(t => processor.Decode(t)));
            Progress?.Invoke(outputs.Count, queries.Count);
        }
        return outputs;
    }

    /// <summary>The shots' segments (all text as prompt, no targets) followed by the query's.</summary>
    private static InterleavedDocument WithShots(InterleavedDocument query, IEnumerable<InterleavedDocument> shots)
    {
        var segments = shots.SelectMany(s => s.Segments.Select(x => x is TextSegment t ? t with { Target = false } : x)).ToList();
        if (segments.Count == 0) return query;
        segments.AddRange(query.Segments);
        return query with { Segments = segments };
    }

    private static VqaAnnotation Annotation(InterleavedDocument d, int index)
    {
        string type = d.Meta("question_type") ?? "all";
        var answers = d.Meta("answers") is string json ? JsonText.ParseArray(json)
            : d.Meta("answer") is string one ? [one]
            : throw new ArgumentException($"VQA query {d.Id} has neither 'answers' nor 'answer' metadata.");
        string answerType = type switch { "count" or "count_colors" => "number", "compare" or "any_kind" => "yes/no", _ => "other" };
        return new VqaAnnotation(index, index, type, answerType, answers.Select((a, j) => new VqaHumanAnswer(a, j.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList());
    }
}
