using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Data.Text;
using MMInterleaved.Model;
using static TorchSharp.torch;

namespace MMInterleaved.Pipeline;

/// <summary>
/// Documents (text and images) to model batches, and token ids back to text: the one place where &lt;s&gt;, &lt;/s&gt;, the
/// &lt;|beginofimage|&gt; token with its K &lt;|image|&gt; placeholders, the MMFS visibility masks and the loss targets are
/// made, for training (packed, right-padded rows with target flags), evaluation and generation (left-padded prompts)
/// alike. Built from a tokenizer and the model config it serves, whose special ids must agree.
/// </summary>
public sealed class MMInterleavedProcessor
{
    private readonly SequenceBuilder builder;
    private readonly BatchCollator trainingCollator;
    private readonly BatchCollator promptCollator;
    private readonly ModelConfig config;

    /// <summary>A processor for <paramref name="config"/>'s model with <paramref name="tokenizer"/>'s vocabulary.</summary>
    public MMInterleavedProcessor(ITextTokenizer tokenizer, ModelConfig config, SequenceBuilderOptions? options = null)
    {
        if (tokenizer.Specials != config.Tokens)
            throw new ArgumentException($"the tokenizer's special ids {tokenizer.Specials} differ from the model config's tokens {config.Tokens}.");
        if (tokenizer.VocabSize > config.Decoder.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} ids but the model's decoder vocab_size is {config.Decoder.VocabSize}.");
        this.config = config;
        Tokenizer = tokenizer;
        builder = new SequenceBuilder(tokenizer, config.NumImageTokens, options);
        trainingCollator = new BatchCollator(config.Tokens, config.Vision.ImageSize);
        promptCollator = new BatchCollator(config.Tokens, config.Vision.ImageSize, leftPad: true);
    }

    /// <summary>The tokenizer.</summary>
    public ITextTokenizer Tokenizer { get; }
    /// <summary>The special ids.</summary>
    public SpecialTokens Tokens => config.Tokens;
    /// <summary>Visual tokens K written after every &lt;|beginofimage|&gt;.</summary>
    public int NumImageTokens => config.NumImageTokens;
    /// <summary>Side S every image must have.</summary>
    public int ImageSize => config.Vision.ImageSize;

    /// <summary>The tokens of a training document (ends with &lt;/s&gt;; target flags from its segments).</summary>
    public TokenizedDocument Tokenize(InterleavedDocument document, long index = 0) => builder.Build(document, index);

    /// <summary>The tokens of a generation prompt (no &lt;/s&gt;); with <paramref name="dropTrailingTargetText"/> the
    /// trailing target text (the answer of a question document) is left out.</summary>
    public TokenizedDocument Prompt(InterleavedDocument document, bool dropTrailingTargetText = false) => builder.BuildPrompt(document, dropTrailingTargetText);

    /// <summary>A training batch of one document per row (right padding, target mask).</summary>
    public InterleavedBatch Batch(IReadOnlyList<InterleavedDocument> documents) =>
        trainingCollator.Collate(documents.Select((d, i) => Tokenize(d, i)).ToList());

    /// <summary>A batch of generation prompts, one per row, left-padded.</summary>
    public InterleavedBatch Prompts(IReadOnlyList<InterleavedDocument> documents, bool dropTrailingTargetText = false) =>
        promptCollator.Collate(documents.Select(d => Prompt(d, dropTrailingTargetText)).ToList());

    /// <summary>A batch of already tokenized prompts (for example with shots placed before them), left-padded.</summary>
    public InterleavedBatch Prompts(IReadOnlyList<TokenizedDocument> prompts) => promptCollator.Collate(prompts);

    /// <summary>
    /// Packed training batches: document i = <paramref name="documents"/>(i) (null ends the source), packed into rows of
    /// <paramref name="maxLength"/> tokens with at most the model's <c>max_images_per_sequence</c> − 1 images each, from
    /// <paramref name="position"/> (the beginning when null).
    /// </summary>
    public BatchStream TrainingStream(Func<long, InterleavedDocument?> documents, int batchSize, int maxLength, DataStreamPosition? position = null) =>
        new(documents, builder, new SequencePacker(maxLength, config.CrossAttention.MaxImagesPerSequence - 1), trainingCollator, batchSize, position);

    /// <summary>The ids of <paramref name="text"/> as the continuation of a text segment (a leading space, as the builder
    /// joins adjacent text segments).</summary>
    public long[] EncodeContinuation(string text) => Tokenizer.Encode(" " + text.Trim()).Select(i => (long)i).ToArray();

    /// <summary>The text of generated or batch ids (special tokens left out unless <paramref name="skipSpecial"/> is false).</summary>
    public string Decode(IEnumerable<long> ids, bool skipSpecial = true) => Tokenizer.Decode(ids, skipSpecial);

    /// <summary>Which image slots each token may read through MMFS [B,L,I] (the model's rule: same &lt;s&gt; segment, image
    /// already started; only the latest one without multi-image).</summary>
    public Tensor VisibilityMask(InterleavedBatch batch) =>
        InterleavedSequence.VisibilityMask(batch.InputIds, Tokens, config.CrossAttention.MultiImage);

    /// <summary>The next-token targets the text loss counts [B,L] (−100 = not counted), as the model computes them.</summary>
    public Tensor TextTargets(InterleavedBatch batch) =>
        InterleavedSequence.TextTargets(batch.InputIds, batch.AttentionMask, Tokens, batch.IgnoreNoImagePrefix, batch.PromptOffsets, batch.TargetMask);
}
