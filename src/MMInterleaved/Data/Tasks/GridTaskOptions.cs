using MMInterleaved.Data.Glyphs;

namespace MMInterleaved.Data.Tasks;

/// <summary>
/// Options of the grid tasks (<see cref="GridTasks"/>). Document i of a task is a pure function of (Seed, Split, i)
/// and these options.
/// </summary>
/// <param name="Seed">Names the stream; any value.</param>
/// <param name="Split">Train, validation or test: disjoint random key spaces (see <see cref="DataSplit"/>).</param>
/// <param name="Scene">How scenes look (null: <see cref="GlyphSceneOptions"/> defaults, 64 px, 4×4).</param>
public sealed record GridTaskOptions(long Seed = 0, DataSplit Split = DataSplit.Train, GlyphSceneOptions? Scene = null)
{
    /// <summary>glyph-fewshot: solved examples before the query (0, 2, 4, 8 …; at most 32).</summary>
    public int Shots { get; init; } = 2;

    /// <summary>glyph-multi-image: fewest images per document (at least 2).</summary>
    public int MinImages { get; init; } = 2;

    /// <summary>glyph-multi-image: most images per document (at most 8, "eighth").</summary>
    public int MaxImages { get; init; } = 3;

    /// <summary>glyph-story: fewest frames per story (at least 2).</summary>
    public int MinFrames { get; init; } = 3;

    /// <summary>glyph-story: most frames per story (at most 8).</summary>
    public int MaxFrames { get; init; } = 5;

    /// <summary>glyph-vqa: questions asked about each image (1: one question per document, the evaluation form). More than
    /// one writes "Question: … Short answer: a. Question: …" after the image, every answer a target: a denser training
    /// signal per image encoded, as multi-turn instruction data does. The metadata then describes the first question.</summary>
    public int QuestionsPerImage { get; init; } = 1;

    /// <summary>glyph-caption: how captions are worded.</summary>
    public GridCaptionStyle CaptionStyle { get; init; } = GridCaptionStyle.Varied;

    /// <summary>Question type weights of the VQA-style tasks.</summary>
    public VqaQuestionMix Questions { get; init; } = new();

    /// <summary>The scene options in effect.</summary>
    public GlyphSceneOptions SceneOptions => Scene ?? new GlyphSceneOptions();

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public GridTaskOptions Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("GridTaskOptions: " + message); }
        Require(Enum.IsDefined(Split), $"Split is {Split}; it must be Train, Validation or Test.");
        Require(Shots is >= 0 and <= 32, $"Shots is {Shots}; it must be in 0…32.");
        Require(MinImages is >= 2 and <= 8, $"MinImages is {MinImages}; it must be in 2…8.");
        Require(MaxImages >= MinImages && MaxImages <= 8, $"MaxImages is {MaxImages}; it must be in MinImages ({MinImages})…8.");
        Require(MinFrames is >= 2 and <= 8, $"MinFrames is {MinFrames}; it must be in 2…8.");
        Require(MaxFrames >= MinFrames && MaxFrames <= 8, $"MaxFrames is {MaxFrames}; it must be in MinFrames ({MinFrames})…8.");
        Require(Enum.IsDefined(CaptionStyle), $"CaptionStyle is {CaptionStyle}; it must be Varied or Rows.");
        Require(QuestionsPerImage is >= 1 and <= 16, $"QuestionsPerImage is {QuestionsPerImage}; it must be in 1…16.");
        SceneOptions.Validated();
        Questions.Validated();
        return this;
    }
}
