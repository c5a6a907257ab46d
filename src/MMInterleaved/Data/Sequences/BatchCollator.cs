using MMInterleaved.Model;
using static TorchSharp.torch;

namespace MMInterleaved.Data.Sequences;

/// <summary>
/// Rows to an <see cref="InterleavedBatch"/>: ids [B,L] padded with the pad id (right padding for training, left
/// padding for generation prompts, reference-spec §7.2, §9), the attention mask [B,L] (1 = real token), the target mask
/// [B,L] (a row's target flags; 0 on padding), and the images [N,3,S,S] loaded in row-major order, each checked to be
/// float32 [3,S,S]. L is the longest row, or <paramref name="padToLength"/> for fixed shapes.
/// </summary>
public sealed class BatchCollator
{
    /// <summary>The special ids (pad fills the padding).</summary>
    public SpecialTokens Tokens { get; }
    /// <summary>The image side S every image must have (the model's <c>Vision.ImageSize</c>).</summary>
    public int ImageSize { get; }
    /// <summary>Pad on the left (generation prompts) instead of the right.</summary>
    public bool LeftPad { get; }
    /// <summary>Sets the batch's caption-pair text-loss rule (the reference's laion sources).</summary>
    public bool IgnoreNoImagePrefix { get; }
    /// <summary>Fixed row length, or null for the longest row.</summary>
    public int? PadToLength { get; }

    /// <summary>A collator for images of side <paramref name="imageSize"/>.</summary>
    public BatchCollator(SpecialTokens tokens, int imageSize, bool leftPad = false, bool ignoreNoImagePrefix = false, int? padToLength = null)
    {
        SequenceChecks.Require(imageSize > 0, $"BatchCollator: imageSize is {imageSize}; it must be positive (the model's Vision.ImageSize).");
        SequenceChecks.Require(padToLength is null or > 0, $"BatchCollator: padToLength is {padToLength}; it must be positive or null.");
        Tokens = tokens;
        ImageSize = imageSize;
        LeftPad = leftPad;
        IgnoreNoImagePrefix = ignoreNoImagePrefix;
        PadToLength = padToLength;
    }

    /// <summary>One row per document (generation prompts, evaluation).</summary>
    public InterleavedBatch Collate(IReadOnlyList<TokenizedDocument> documents) => Collate(documents.Select(PackedSequence.Of).ToList());

    /// <summary>The batch of these rows.</summary>
    public InterleavedBatch Collate(IReadOnlyList<PackedSequence> rows)
    {
        SequenceChecks.Require(rows.Count > 0, "BatchCollator: no rows to collate.");
        int longest = rows.Max(r => r.Length);
        int width = PadToLength ?? longest;
        SequenceChecks.Require(longest <= width, $"BatchCollator: a row has {longest} tokens but padToLength is {width}.");
        int b = rows.Count;
        var ids = new long[b * width];
        var attention = new long[b * width];
        var targets = new long[b * width];
        Array.Fill(ids, (long)Tokens.Pad);
        for (int r = 0; r < b; r++)
        {
            var row = rows[r];
            SequenceChecks.Require(row.Targets.Length == row.Ids.Length, $"BatchCollator: row {r} has {row.Targets.Length} target flags for {row.Ids.Length} ids.");
            int blocks = row.Ids.Count(id => id == Tokens.BeginOfImage);
            SequenceChecks.Require(blocks == row.Images.Count, $"BatchCollator: row {r} has {blocks} <|beginofimage|> but {row.Images.Count} images.");
            int at = r * width + (LeftPad ? width - row.Length : 0);
            row.Ids.CopyTo(ids, at);
            for (int t = 0; t < row.Length; t++)
            {
                attention[at + t] = 1;
                targets[at + t] = row.Targets[t] ? 1 : 0;
            }
        }
        return new InterleavedBatch(tensor(ids).view(b, width), tensor(attention).view(b, width), LoadImages(rows),
            IgnoreNoImagePrefix, TargetMask: tensor(targets).view(b, width));
    }

    private Tensor LoadImages(IReadOnlyList<PackedSequence> rows)
    {
        var loaded = new List<Tensor>();
        for (int r = 0; r < rows.Count; r++)
            for (int i = 0; i < rows[r].Images.Count; i++)
            {
                var segment = rows[r].Images[i];
                var image = segment.Load();
                bool ok = image.dtype == ScalarType.Float32 && image.shape.SequenceEqual(new long[] { 3, ImageSize, ImageSize });
                SequenceChecks.Require(ok, $"BatchCollator: image {i} of row {r}{(segment.SourcePath is null ? "" : $" ('{segment.SourcePath}')")} is " +
                    $"{image.dtype} [{string.Join(",", image.shape)}]; expected Float32 [3,{ImageSize},{ImageSize}] (the model's Vision.ImageSize).");
                loaded.Add(image);
            }
        return loaded.Count == 0 ? zeros(0, 3, ImageSize, ImageSize) : stack(loaded);
    }
}
