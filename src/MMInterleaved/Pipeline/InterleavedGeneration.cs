using MMInterleaved.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Pipeline;

/// <summary>The loop of <see cref="MMInterleavedPipeline.GenerateInterleaved"/>: text, image, text …, each generated
/// segment appended to the document the next step reads.</summary>
internal static class InterleavedGeneration
{
    public static InterleavedGenerationResult Run(MMInterleavedPipeline pipeline, InterleavedDocument prompt, InterleavedGenerationOptions options)
    {
        var tokens = pipeline.Config.Tokens;
        var segments = prompt.Segments.ToList();
        var images = new List<GeneratedImage>();
        int textSegments = 0;
        bool imageNext = options.ForceImage;
        string stop;
        while (true)
        {
            var document = prompt with { Segments = segments.ToList() };
            if (imageNext)
            {
                if (images.Count >= options.MaxImages) { stop = "max_images"; break; }
                images.Add(Image(pipeline, document, images.Count, segments.Count, options));
                segments.Add(ImageSegmentOf(images[^1].Image, pipeline.Config.Vision.ImageSize));
                imageNext = false;
                if (options.StopAfterImage && images.Count >= options.MaxImages) { stop = "max_images"; break; }
                continue;
            }
            if (textSegments >= options.MaxTextSegments) { stop = "max_text_segments"; break; }
            var ids = pipeline.GenerateIds(pipeline.Processor.Prompts([document]), options.Text)[0];
            bool beginsImage = ids.Length > 0 && ids[^1] == tokens.BeginOfImage;
            bool ended = ids.Length > 0 && ids[^1] == tokens.Eos;
            string text = pipeline.Processor.Decode(ids).Trim();
            if (text.Length > 0)
            {
                segments.Add(new TextSegment(text));
                textSegments++;
            }
            if (ended) { stop = "eos"; break; }
            if (beginsImage && images.Count < options.MaxImages) { imageNext = true; continue; }
            if (text.Length == 0) { stop = "empty"; break; }
        }
        return new InterleavedGenerationResult(prompt with { Segments = segments }, prompt.Segments.Count, images, stop);
    }

    // image n of the generation: candidate k from seed Image.Seed + 1000·n + k, candidate 0 kept
    private static GeneratedImage Image(MMInterleavedPipeline pipeline, InterleavedDocument document, int n, int segmentIndex, InterleavedGenerationOptions options)
    {
        long seed = options.Image.Seed + 1000L * n;
        var candidates = pipeline.GenerateImages([document], options.Image with { Seed = seed }, options.Candidates);
        var list = Enumerable.Range(0, options.Candidates).Select(k => candidates[0, k].clone()).ToList();
        candidates.Dispose();
        return new GeneratedImage(segmentIndex, list[0], list, Enumerable.Range(0, options.Candidates).Select(k => seed + k).ToList());
    }

    // the generated image as a document image at the image tokenizer's side (bilinear when the decoder's side differs)
    private static ImageSegment ImageSegmentOf(Tensor image, int side)
    {
        var kept = image.shape[^1] == side ? image.clone()
            : F.interpolate(image.unsqueeze(0), [side, side], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true).squeeze(0).clamp(0, 1);
        kept.DetachFromDisposeScope();
        return new ImageSegment(() => kept.clone());
    }
}
