using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// CLIP's multi-head self-attention (HF <c>CLIPAttention</c> names; the reference swaps in an xformers class with the
/// same four Linears and the same maths). Computed with <c>scaled_dot_product_attention</c>, whose default scale
/// 1/√head_dim is CLIP's; no mask, no dropout.
/// </summary>
public sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "q_proj")] private readonly Linear qProj;
    [ComponentName(Name = "k_proj")] private readonly Linear kProj;
    [ComponentName(Name = "v_proj")] private readonly Linear vProj;
    [ComponentName(Name = "out_proj")] private readonly Linear outProj;

    private readonly int heads;

    /// <summary>Builds the attention with HF CLIP's init: q/k/v ~ N(0, W^-½·(2L)^-½), out ~ N(0, W^-½), biases 0.</summary>
    public ClipAttention(VisionEncoderConfig config, string name = "self_attn") : base(name)
    {
        int w = config.HiddenSize;
        heads = config.NumHeads;
        qProj = nn.Linear(w, w);
        kProj = nn.Linear(w, w);
        vProj = nn.Linear(w, w);
        outProj = nn.Linear(w, w);
        RegisterComponents();
        using var noGrad = no_grad();
        double inStd = Math.Pow(w, -0.5) * Math.Pow(2.0 * config.NumLayers, -0.5), outStd = Math.Pow(w, -0.5);
        foreach (var linear in new[] { qProj, kProj, vProj }) nn.init.normal_(linear.weight, 0, inStd);
        nn.init.normal_(outProj.weight, 0, outStd);
        foreach (var linear in new[] { qProj, kProj, vProj, outProj }) nn.init.zeros_(linear.bias);
    }

    /// <summary>x [B, T, W] → [B, T, W].</summary>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], w = x.shape[2], d = w / heads;
        Tensor Split(Linear proj) => proj.forward(x).view(b, t, heads, d).transpose(1, 2); // [B,H,T,D]
        Tensor attended = F.scaled_dot_product_attention(Split(qProj), Split(kProj), Split(vProj));
        return outProj.forward(attended.transpose(1, 2).reshape(b, t, w));
    }
}
