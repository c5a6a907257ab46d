using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MMInterleaved.Data.Tasks;

namespace MMInterleaved.Training;

/// <summary>
/// Everything that defines a training run besides the model's architecture, as the run folder's
/// <c>training_args.json</c> holds it (snake_case, as HF's <c>TrainingArguments</c>): the data (a built-in task or a
/// document file, with its grid and question settings), the batch and window, the optimisation (steps, learning rates
/// and groups, warm-up, …), the seed, the evaluation settings and the pre-trained encoder the run started from. `mmi train
/// --resume` takes every setting from it. Each default lives here (or in <see cref="TrainingConfig"/>) once; the CLI's
/// option defaults read them.
/// </summary>
public sealed record TrainingArgs
{
    /// <summary>File name in a run folder.</summary>
    public const string FileName = "training_args.json";

    /// <summary>The defaults.</summary>
    public static TrainingArgs Default { get; } = new();

    /// <summary>The model the run started from: a preset name (tiny, small, paper) or the config.json path it was given.</summary>
    public string Model { get; init; } = "small";
    /// <summary>Built-in task (glyph-vqa, …), or a name of the training mixture when the caller supplied its own sources.</summary>
    public string Task { get; init; } = "glyph-vqa";
    /// <summary>A JSON-Lines document file trained on instead of the task (its last tenth held out), or null.</summary>
    public string? DataFile { get; init; }
    /// <summary>Packed sequences per step.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Tokens per packed sequence; null: <see cref="TextLength"/> + &lt;|beginofimage|&gt; + the model's K visual
    /// tokens (one image per document).</summary>
    public int? MaxLength { get; init; }
    /// <summary>Text tokens a window leaves beside one image when <see cref="MaxLength"/> is null (88 holds an image with
    /// four questions and their answers; the ablations use the same budget).</summary>
    public int TextLength { get; init; } = 88;
    /// <summary>Seed of the data (scenes, questions) and of libtorch.</summary>
    public long Seed { get; init; }
    /// <summary>Cells per side of the glyph grid (3: position names such as "top left"; 4: "row r column c").</summary>
    public int GridSide { get; init; } = 4;
    /// <summary>glyph-vqa training documents ask this many questions per image, every answer a target (evaluation asks
    /// one). With four the small model's MMFS learns to find a cell within ~1000 steps; with one it stayed at the answer prior.</summary>
    public int QuestionsPerImage { get; init; } = 4;
    /// <summary>Question type weights of the VQA-style tasks (train and evaluation).</summary>
    public VqaQuestionMix Questions { get; init; } = new();
    /// <summary>Overrides the model config's decoder MMFS initial offset magnitude at creation (null: the config's).</summary>
    public double? OffsetInitMagnitude { get; init; }
    /// <summary>Held-out documents scored at each evaluation (official metrics).</summary>
    public int EvalExamples { get; init; } = 200;
    /// <summary>The pre-trained vision encoder loaded before training (a repository-relative or absolute path), or null.</summary>
    public string? PretrainedEncoder { get; init; }
    /// <summary>SHA-256 of that file when the run started (hex), so a reader can tell which encoder a run used.</summary>
    public string? PretrainedEncoderSha256 { get; init; }
    /// <summary>Optimisation: steps, learning rate and groups, warm-up, accumulation, clipping, evaluation and checkpoint cadence.</summary>
    public TrainingConfig Optimization { get; init; } = new();

    /// <summary>The window for a model with <paramref name="numImageTokens"/> visual tokens per image.</summary>
    public int WindowLength(int numImageTokens) => MaxLength ?? WindowFor(TextLength, numImageTokens,
        DataFile is null && TaskMixture.Parse(Task).Tasks.Any(t => t.EndsWith("-story", StringComparison.Ordinal)) ? new GridTaskOptions().MaxFrames : 1);   // a story's every frame

    /// <summary>Tokens per packed row: the text budget plus, per image of a training document, &lt;|beginofimage|&gt; and
    /// its K visual tokens, so more visual tokens or more images never squeeze the text.</summary>
    public static int WindowFor(int textLength, int numImageTokens, int imagesPerDocument = 1) =>
        textLength + imagesPerDocument * (1 + numImageTokens);

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public TrainingArgs Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("training args: " + message); }
        Require(BatchSize > 0, $"batch_size is {BatchSize}; it must be positive.");
        Require(MaxLength is null or > 0, $"max_length is {MaxLength}; it must be positive (or null for text_length + the image block).");
        Require(TextLength > 0, $"text_length is {TextLength}; it must be positive.");
        // One cell is a single-glyph scene: meaningful to draw (colour and kind from the caption, no spatial binding),
        // not to ask where something is.
        int fewest = GridTasks.IsGeneration(Task) ? 1 : 2;
        Require(GridSide >= fewest && GridSide <= 8, $"grid_side is {GridSide}; it must lie in {fewest}..8 for task {Task}.");
        Require(QuestionsPerImage > 0, $"questions_per_image is {QuestionsPerImage}; it must be positive.");
        Require(EvalExamples >= 0, $"eval_examples is {EvalExamples}; it must be non-negative.");
        Questions.Validated();
        Optimization.Validated();
        return this;
    }

    /// <summary>JSON options of training_args.json (snake_case, unknown keys refused).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The args as training_args.json text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads training_args.json; a damaged file is an InvalidDataException naming it and the field.</summary>
    public static TrainingArgs Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{Path.GetDirectoryName(path)} has no {FileName} (not a run folder of this version of `mmi train`).", path);
        TrainingArgs? args;
        try { args = JsonSerializer.Deserialize<TrainingArgs>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid training args: {e.Message}", e); }
        if (args is null) throw new InvalidDataException($"{path}: empty training args.");
        try { return args.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
