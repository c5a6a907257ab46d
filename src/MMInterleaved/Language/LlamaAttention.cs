using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Language;

/// <summary>HF <c>LlamaAttention</c>: q/k/v/o projections without bias, rotary positions, causal multi-head attention with
/// an optional key-value cache.</summary>
public sealed class LlamaAttention : nn.Module
{
    [ComponentName(Name = "q_proj")] private readonly Linear qProj;
    [ComponentName(Name = "k_proj")] private readonly Linear kProj;
    [ComponentName(Name = "v_proj")] private readonly Linear vProj;
    [ComponentName(Name = "o_proj")] private readonly Linear oProj;
    [ComponentName(Name = "rotary_emb")] private readonly RotaryEmbedding rotaryEmb;
    private readonly int heads, headDim, layer;

    /// <summary>Self-attention of decoder layer <paramref name="layerIndex"/>.</summary>
    public LlamaAttention(DecoderConfig config, int layerIndex, string name = "self_attn") : base(name)
    {
        heads = config.NumHeads;
        headDim = config.HeadDim;
        layer = layerIndex;
        qProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        kProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        vProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        oProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        rotaryEmb = new RotaryEmbedding(headDim, config.RopeTheta);
        RegisterComponents();
    }

    /// <summary>hidden [B,L,D]; additiveMask [B,1,L,Ltotal] (0 or a large negative); positionIds [B,L].</summary>
    public Tensor forward(Tensor hidden, Tensor additiveMask, Tensor positionIds, KvCache? cache)
    {
        long b = hidden.shape[0], l = hidden.shape[1];
        Tensor Split(Tensor x) => x.view(b, l, heads, headDim).transpose(1, 2); // [B,H,L,d]
        var (q, k) = rotaryEmb.Apply(Split(qProj.forward(hidden)), Split(kProj.forward(hidden)), positionIds);
        var v = Split(vProj.forward(hidden));
        if (cache is not null) (k, v) = cache.Append(layer, k, v);

        var scores = q.matmul(k.transpose(2, 3)) / Math.Sqrt(headDim) + additiveMask;
        // softmax in float32 (as HF does), back to the activations' dtype
        var probabilities = F.softmax(scores.dtype == ScalarType.Float64 ? scores : scores.to(float32), -1).to(q.dtype);
        var output = probabilities.matmul(v).transpose(1, 2).reshape(b, l, heads * headDim);
        return oProj.forward(output);
    }
}
