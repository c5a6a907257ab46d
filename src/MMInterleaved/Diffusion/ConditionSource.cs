namespace MMInterleaved.Diffusion;

/// <summary>What the UNet cross-attends to as <c>encoder_hidden_states</c>.</summary>
public enum ConditionSource
{
    /// <summary>The decoder Q-Former's queries over the context (the reference).</summary>
    Resampler,
    /// <summary>The projected context tokens themselves, nearest to &lt;BoI&gt; first, cut or zero-padded to the resampler's
    /// query count (a control beyond the reference: it skips the Q-Former, so a caption reaches the UNet undiluted; needs
    /// the language model's width to equal the UNet's cross_attention_dim).</summary>
    Context,
}
