namespace MMInterleaved.Evaluation.Probes;

/// <summary>Held-out accuracy of a probe at one <see cref="ProbeSite"/>, over every cell of every test scene, beside
/// what always answering the training split's most frequent class scores (the prior).</summary>
/// <param name="Site">Where it read.</param>
/// <param name="Features">Feature width the probe saw (per cell for pooled sites, per image for the visual tokens).</param>
/// <param name="GlyphAccuracy">Share of cells whose glyph the probe names.</param>
/// <param name="ColourAccuracy">Share of cells whose colour the probe names.</param>
/// <param name="GlyphPrior">The glyph prior's accuracy on the same cells.</param>
/// <param name="ColourPrior">The colour prior's accuracy on the same cells.</param>
public sealed record ProbeScore(ProbeSite Site, int Features, double GlyphAccuracy, double ColourAccuracy, double GlyphPrior, double ColourPrior);
