namespace MMInterleaved.Data.Sequences;

/// <summary>
/// How <see cref="SequenceBuilder"/> treats caption pairs (documents of exactly one image and one text segment, either
/// order). With <see cref="RandomPairOrder"/> each pair is written image-first ("&lt;BoI&gt;&lt;image&gt;×K caption") with
/// probability <see cref="ImageFirstProbability"/>, otherwise text-first, as the reference's pair sources do (0.5). The
/// draw is a pure function of (<see cref="Seed"/>, document index), so a resumed data stream draws the same orders.
/// </summary>
public sealed record SequenceBuilderOptions
{
    /// <summary>Re-order pair documents at random (otherwise every document keeps its own order).</summary>
    public bool RandomPairOrder { get; init; }
    /// <summary>Probability that a pair is written image-first.</summary>
    public double ImageFirstProbability { get; init; } = 0.5;
    /// <summary>Seed of the pair-order draws.</summary>
    public long Seed { get; init; }
    /// <summary>Lower-case the caption of pair documents (the reference's pair sources do).</summary>
    public bool LowerCasePairCaptions { get; init; }

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public SequenceBuilderOptions Validated()
    {
        SequenceChecks.Require(ImageFirstProbability is >= 0 and <= 1,
            $"SequenceBuilderOptions: ImageFirstProbability is {ImageFirstProbability}; it must lie in [0, 1].");
        return this;
    }
}
