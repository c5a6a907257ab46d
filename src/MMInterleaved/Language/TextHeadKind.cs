namespace MMInterleaved.Language;

/// <summary>How next-token logits are produced.</summary>
public enum TextHeadKind
{
    /// <summary>One trainable Linear over the whole vocabulary (<c>head</c>), for decoders trained here from scratch.</summary>
    Single,
    /// <summary>The reference's arrangement for a pre-trained decoder: a frozen copy of the LM head (<c>head</c>, bias −100 on
    /// the two added tokens) plus a trainable 2-row <c>head_new</c> (weight 0, bias 95) added to those two logits.</summary>
    FrozenPlusNew,
}
