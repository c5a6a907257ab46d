namespace MMInterleaved.Evaluation.Probes;

/// <summary>Where in the image tokenizer a <see cref="FeatureProbe"/> reads.</summary>
public enum ProbeSite
{
    /// <summary>The ViT's final patch tokens, pooled over each cell: what the resampler reads.</summary>
    VitTokens,
    /// <summary>The adapter's c3 map (stride 16), pooled over each cell: one of the maps MMFS reads.</summary>
    AdapterMap,
    /// <summary>The K visual tokens the decoder receives (resampler output after the projection), all of them together:
    /// what a model without MMFS knows about the image.</summary>
    VisualTokens,
}
