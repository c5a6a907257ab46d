using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Real;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// The grid task factory. Names: <c>glyph-caption</c>, <c>glyph-vqa</c>, <c>glyph-grounding</c>, <c>glyph-fewshot</c>,
/// <c>glyph-multi-image</c>, <c>glyph-text-to-image</c>, <c>glyph-seg-to-image</c>, <c>glyph-story</c> (procedural glyphs), and the same suffixes but
/// story with <c>fashion-</c> (Fashion-MNIST items; the files must be installed, see <see cref="Runtime.OptionalData.FashionMnistHint"/>).
/// </summary>
public static class GridTasks
{
    /// <summary>The task suffixes.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = ["caption", "vqa", "grounding", "fewshot", "multi-image", "text-to-image", "seg-to-image"];

    /// <summary>Suffixes of tasks that edit procedural glyphs, so exist for glyph scenes only.</summary>
    public static IReadOnlyList<string> GlyphOnlySuffixes { get; } = ["story"];

    /// <summary>The suffixes of tasks whose targets are images (a model trained on them needs an image decoder).</summary>
    public static IReadOnlyList<string> GenerationSuffixes { get; } = ["text-to-image", "seg-to-image", "story"];

    /// <summary>Whether task <paramref name="name"/> (any prefix; in a mixture "a+b" or "a*4+b", any part) trains image generation.</summary>
    public static bool IsGeneration(string name) =>
        TaskMixture.Parse(name).Tasks.Any(part => GenerationSuffixes.Any(s => part.EndsWith("-" + s, StringComparison.Ordinal)));

    /// <summary>The glyph task names.</summary>
    public static IReadOnlyList<string> GlyphNames { get; } = Suffixes.Concat(GlyphOnlySuffixes).Select(s => "glyph-" + s).ToArray();

    /// <summary>The Fashion-MNIST task names.</summary>
    public static IReadOnlyList<string> FashionNames { get; } = Suffixes.Select(s => "fashion-" + s).ToArray();

    /// <summary>Every name <see cref="Create(string, GridTaskOptions?)"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. GlyphNames, .. FashionNames];

    /// <summary>The task of that name. Fashion tasks read Fashion-MNIST (once per process): the training file for
    /// the train and validation splits, the test file for the test split.</summary>
    public static GridTask Create(string name, GridTaskOptions? options = null)
    {
        options = (options ?? new GridTaskOptions()).Validated();
        if (GlyphNames.Contains(name)) return Create(name["glyph-".Length..], options, new GlyphSceneSampler(options.SceneOptions));
        if (FashionNames.Contains(name))
        {
            bool test = options.Split == DataSplit.Test;
            var sampler = FashionGridSampler.ForSplit(options.Split, test ? null : FashionMnist.LoadDefault(train: true),
                test ? FashionMnist.LoadDefault(train: false) : null, options.SceneOptions);
            return Create(name["fashion-".Length..], options, sampler);
        }
        throw new ArgumentException($"GridTasks: unknown task '{name}'; the tasks are {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Task <paramref name="suffix"/> (one of <see cref="Suffixes"/>) over any scene sampler; its name is
    /// "{sampler.Name}-{suffix}".</summary>
    public static GridTask Create(string suffix, GridTaskOptions options, IGridSceneSampler sampler) => suffix switch
    {
        "caption" => new GridCaptionTask(options, sampler),
        "vqa" => new GridVqaTask(options, sampler),
        "grounding" => new GridGroundingTask(options, sampler),
        "fewshot" => new GridFewShotTask(options, sampler),
        "multi-image" => new GridMultiImageTask(options, sampler),
        "text-to-image" => new GridTextToImageTask(options, sampler),
        "seg-to-image" => new GridSegToImageTask(options, sampler),
        "story" => new GlyphStoryTask(options, sampler),
        _ => throw new ArgumentException($"GridTasks: unknown task suffix '{suffix}'; the suffixes are {string.Join(", ", Suffixes.Concat(GlyphOnlySuffixes))}.", nameof(suffix)),
    };
}
