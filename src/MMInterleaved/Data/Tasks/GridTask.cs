using System.Globalization;
using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// Base of the grid tasks: an unbounded <see cref="IDocumentSource"/> whose document i draws everything from random
/// streams keyed (Seed, Split, i, purpose, n). Image 0 of document i is the same scene in every task with the same
/// seed, split and scene options, so one scene can be captioned, questioned and grounded.
/// </summary>
public abstract class GridTask : IDocumentSource
{
    /// <summary>What a random stream is for (part of its key).</summary>
    protected enum Purpose : ulong
    {
        /// <summary>Scene n of the document.</summary>
        Scene = 1,
        /// <summary>The document's question, caption choice or image count.</summary>
        Text = 2,
        /// <summary>Scene of shot n (few-shot).</summary>
        ShotScene = 3,
        /// <summary>Question of shot n (few-shot).</summary>
        ShotText = 4,
        /// <summary>Extra scene draws n (grounding retries).</summary>
        Retry = 5,
    }

    /// <summary>Creates a task; the name is "{sampler.Name}-{suffix}".</summary>
    protected GridTask(string suffix, GridTaskOptions options, IGridSceneSampler sampler)
    {
        Options = options.Validated();
        Sampler = sampler;
        Name = $"{sampler.Name}-{suffix}";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The options.</summary>
    public GridTaskOptions Options { get; }

    /// <summary>Where scenes come from.</summary>
    public IGridSceneSampler Sampler { get; }

    /// <summary>Null: any non-negative index is a document.</summary>
    public long? Count => null;

    /// <inheritdoc/>
    public InterleavedDocument Get(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Build(index);
    }

    /// <summary>Scene <paramref name="image"/> of document <paramref name="index"/> (image 0 is shared by the tasks).</summary>
    public IGridScene Scene(long index, int image = 0) => Sampler.Sample(Random(index, Purpose.Scene, image));

    /// <summary>Builds document <paramref name="index"/>.</summary>
    protected abstract InterleavedDocument Build(long index);

    /// <summary>The random stream (Seed, Split, index, purpose, n).</summary>
    protected SeededRandom Random(long index, Purpose purpose, long n = 0) =>
        SeededRandom.For((ulong)Options.Seed, (ulong)Options.Split + 1, (ulong)index, (ulong)purpose, (ulong)n);

    /// <summary>A lazily rendered image segment.</summary>
    protected static ImageSegment Image(IGridScene scene) => new(scene.Render);

    /// <summary>Metadata every grid document carries: task, id parts and the scene geometry.</summary>
    protected Dictionary<string, string> BaseMetadata(long index, IGridScene scene) => new()
    {
        ["task"] = Name,
        ["split"] = SplitName,
        ["seed"] = Options.Seed.ToString(CultureInfo.InvariantCulture),
        ["index"] = index.ToString(CultureInfo.InvariantCulture),
        ["image_size"] = scene.ImageSize.ToString(CultureInfo.InvariantCulture),
        ["grid_side"] = scene.GridSide.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Adds a question's fields: question, answer, answers (ten copies, for the VQA metric), question_type
    /// and its extra metadata.</summary>
    protected static void AddQuestion(Dictionary<string, string> meta, GridQuestion q, string? questionText = null)
    {
        meta["question"] = questionText ?? q.Text;
        meta["answer"] = q.Answer;
        meta["answers"] = JsonText.Array(Enumerable.Repeat(q.Answer, 10));
        meta["question_type"] = q.Type;
        foreach (var (k, v) in q.Metadata) meta[k] = v;
    }

    /// <summary>"{task}/{split}/{index}", e.g. "glyph-vqa/train/42" (the seed is in the metadata).</summary>
    protected string Id(long index) => string.Create(CultureInfo.InvariantCulture, $"{Name}/{SplitName}/{index}");

    private string SplitName => Options.Split.ToString().ToLowerInvariant();
}
