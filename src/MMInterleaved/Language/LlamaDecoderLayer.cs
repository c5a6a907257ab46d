using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>HF <c>LlamaDecoderLayer</c> with the reference's optional cross-attention between self-attention and MLP.</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")] private readonly LlamaAttention selfAttn;
    [ComponentName(Name = "mlp")] private readonly LlamaMlp mlp;
    [ComponentName(Name = "input_layernorm")] private readonly RmsNorm inputLayernorm;
    [ComponentName(Name = "post_attention_layernorm")] private readonly RmsNorm postAttentionLayernorm;
    [ComponentName(Name = "llama_cross_attn")] private readonly LlamaMmfsAttention? crossAttn;

    /// <summary>The layer's cross-attention block, if it has one.</summary>
    public LlamaMmfsAttention? CrossAttention => crossAttn;

    /// <summary>Decoder layer <paramref name="index"/>; <paramref name="crossAttention"/> is null for layers without one.</summary>
    public LlamaDecoderLayer(DecoderConfig config, int index, LlamaMmfsAttention? crossAttention, string name = "layer") : base(name)
    {
        selfAttn = new LlamaAttention(config, index);
        mlp = new LlamaMlp(config);
        inputLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        postAttentionLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        crossAttn = crossAttention;
        RegisterComponents();
    }

    /// <summary>One layer: self-attention, gated cross-attention (when present and memory is given), MLP.</summary>
    public Tensor forward(Tensor hidden, Tensor additiveMask, Tensor positionIds, VisualMemory? memory, KvCache? cache)
    {
        hidden = hidden + selfAttn.forward(inputLayernorm.forward(hidden), additiveMask, positionIds, cache);
        if (crossAttn is not null && memory is not null) hidden = crossAttn.forward(hidden, memory);
        return hidden + mlp.forward(postAttentionLayernorm.forward(hidden));
    }
}
