using MMInterleaved.Data;

namespace MMInterleaved.Pipeline;

/// <summary>
/// The result of <see cref="MMInterleavedPipeline.GenerateInterleaved"/>: the prompt with the generated segments appended
/// (<see cref="Document"/>; segments from <see cref="FirstGenerated"/> on are generated), the generated images, and why
/// generation stopped (<c>eos</c>, <c>max_images</c>, <c>max_text_segments</c>, <c>empty</c>).
/// </summary>
public sealed record InterleavedGenerationResult(InterleavedDocument Document, int FirstGenerated, IReadOnlyList<GeneratedImage> Images, string StopReason);
