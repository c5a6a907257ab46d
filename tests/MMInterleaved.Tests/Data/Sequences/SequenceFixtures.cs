using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Data.Text;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Data.Sequences;

/// <summary>Small documents over the tiny preset's vocabulary (64 ids, 4 image tokens, 32-px images).</summary>
internal static class SequenceFixtures
{
    public const int K = 4;
    public const int ImageSide = 32;

    public static readonly (string Prompt, string Answer)[] Questions =
    [
        ("what is on the table?", "a red cup"),
        ("how many dogs are there?", "2"),
        ("where is the cat? answer with a box.", "(12,340)(99,5)"),
        ("is it raining?", "no"),
        ("what color is the car?", "blue"),
    ];

    public static readonly string[] Captions = ["a dog on the grass", "two cats, one box", "a red car near the sea"];

    public static WordTokenizer Tokenizer { get; } =
        WordTokenizer.FromCorpus(Questions.SelectMany(q => new[] { q.Prompt, q.Answer }).Concat(Captions).Append("0 1 2 3 4 5 6 7 8 9"), 64);

    /// <summary>An image whose pixels all equal <paramref name="value"/> (so tests can tell images apart).</summary>
    public static ImageSegment Image(double value, int side = ImageSide) =>
        new(() => full(3, side, side, value, dtype: float32), $"image-{value}");

    /// <summary>[image, prompt (not a target), answer].</summary>
    public static InterleavedDocument Vqa(int question, double image) =>
        new([Image(image), new TextSegment(Questions[question].Prompt, Target: false), new TextSegment(Questions[question].Answer)], $"vqa-{question}");

    /// <summary>A caption pair, caption first as stored.</summary>
    public static InterleavedDocument Pair(int caption, double image) =>
        new([new TextSegment(Captions[caption]), Image(image)], $"pair-{caption}");

    /// <summary>A deterministic mix of VQA, pairs and multi-image documents: document i of an endless source.</summary>
    public static InterleavedDocument Mixed(long i) => (i % 4) switch
    {
        0 => Vqa((int)(i % Questions.Length), i),
        1 => Pair((int)(i % Captions.Length), i),
        2 => new InterleavedDocument([new TextSegment(Captions[i % Captions.Length]), Image(i), new TextSegment(Captions[(i + 1) % Captions.Length]), Image(i + 0.5)], $"multi-{i}"),
        _ => new InterleavedDocument([new TextSegment(string.Join(" ", Enumerable.Repeat(Captions[i % Captions.Length], 1 + (int)(i % 5))))], $"text-{i}"),
    };

    public static SequenceBuilder Builder(SequenceBuilderOptions? options = null) => new(Tokenizer, K, options);

    public static long[] Ids(string text) => Tokenizer.Encode(text).Select(i => (long)i).ToArray();
}
