using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// What text generation needs from a model: embed new token ids, and run the decoder on new positions with a cache,
/// returning the logits of the last new position. The model supplies its visual memory (MMFS then uses the last row of
/// the visibility mask for every new token, as the reference does).
/// </summary>
public interface IIncrementalDecoder
{
    /// <summary>Number of decoder layers (cache size).</summary>
    int Layers { get; }

    /// <summary>Embeddings [B,L,D] of ids [B,L].</summary>
    Tensor Embed(Tensor ids);

    /// <summary>Logits [B,V] of the last of the new positions. attentionMask covers cached + new positions.</summary>
    Tensor Step(Tensor inputsEmbeds, Tensor attentionMask, Tensor positionIds, VisualMemory? memory, KvCache cache);
}
