using MMInterleaved.Diffusion;
using MMInterleaved.Language;

namespace MMInterleaved.Pipeline;

/// <summary>
/// How <see cref="MMInterleavedPipeline.GenerateInterleaved"/> continues a document: text by <see cref="Text"/> until the
/// model emits &lt;/s&gt; or &lt;|beginofimage|&gt;; at &lt;|beginofimage|&gt; an image by <see cref="Image"/>
/// (<see cref="Candidates"/> of them; candidate 0 is written back into the context); then text again. Stops at &lt;/s&gt;,
/// after <see cref="MaxImages"/> images (with <see cref="StopAfterImage"/>), after <see cref="MaxTextSegments"/> text
/// segments, or when the model writes nothing. <see cref="ForceImage"/> puts an image right after the prompt, as if the
/// model had emitted &lt;|beginofimage|&gt; there.
/// </summary>
public sealed record InterleavedGenerationOptions
{
    /// <summary>Text decoding (default: greedy, at most 40 new tokens per segment).</summary>
    public GenerationOptions Text { get; init; } = new() { MaxNewTokens = 40 };
    /// <summary>Image sampling (image n, candidate k uses seed Image.Seed + 1000·n + k).</summary>
    public ImageSamplingOptions Image { get; init; } = new();
    /// <summary>Images sampled per image position; candidate 0 continues the document.</summary>
    public int Candidates { get; init; } = 1;
    /// <summary>Images generated at most.</summary>
    public int MaxImages { get; init; } = 1;
    /// <summary>Whether to stop once <see cref="MaxImages"/> images are made (false: go on with text, never another image).</summary>
    public bool StopAfterImage { get; init; } = true;
    /// <summary>Generated text segments at most.</summary>
    public int MaxTextSegments { get; init; } = 4;
    /// <summary>Generate an image immediately after the prompt.</summary>
    public bool ForceImage { get; init; }

    /// <summary>Checks the values; throws an ArgumentException naming the field.</summary>
    public InterleavedGenerationOptions Validated()
    {
        Text.Validated();
        Image.Validated();
        if (Candidates < 1) throw new ArgumentException($"InterleavedGenerationOptions: Candidates is {Candidates}; it must be at least 1.");
        if (MaxImages < 0) throw new ArgumentException($"InterleavedGenerationOptions: MaxImages is {MaxImages}; it must be non-negative.");
        if (MaxTextSegments < 0) throw new ArgumentException($"InterleavedGenerationOptions: MaxTextSegments is {MaxTextSegments}; it must be non-negative.");
        if (ForceImage && MaxImages == 0) throw new ArgumentException("InterleavedGenerationOptions: ForceImage needs MaxImages ≥ 1.");
        return this;
    }
}
