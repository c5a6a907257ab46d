using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>The plain <see cref="IIncrementalDecoder"/>: a decoder and its text head; new ids are embedded with the
/// decoder's table (generated tokens are text: generation stops at &lt;|beginofimage|&gt;).</summary>
public sealed class DecoderStepper(LlamaDecoder decoder, TextDecoder head) : IIncrementalDecoder
{
    /// <inheritdoc />
    public int Layers => decoder.Config.NumLayers;

    /// <inheritdoc />
    public Tensor Embed(Tensor ids) => decoder.Embed(ids);

    /// <inheritdoc />
    public Tensor Step(Tensor inputsEmbeds, Tensor attentionMask, Tensor positionIds, VisualMemory? memory, KvCache cache)
    {
        var hidden = decoder.forward(inputsEmbeds, attentionMask, positionIds, memory, cache);
        return head.forward(hidden.select(1, -1));
    }
}
