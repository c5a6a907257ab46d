using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Mmfs;

/// <summary>
/// Dense multi-head cross-attention from query tokens to every position of every visible image's feature maps:
/// the "dense cross-attention on the same feature map" alternative to MMFS (paper Table 7). It takes MMFS's inputs
/// and mask, and like MMFS it has a null slot (a key with logit 0 and value 0), so a token that may see no image
/// outputs the output projection's bias instead of NaN.
/// </summary>
public sealed class DenseCrossAttention : nn.Module
{
    [ComponentName(Name = "q_proj")] private readonly Linear qProj;
    [ComponentName(Name = "k_proj")] private readonly Linear kProj;
    [ComponentName(Name = "v_proj")] private readonly Linear vProj;
    [ComponentName(Name = "output_proj")] private readonly Linear outputProj;
    private readonly int heads;

    /// <summary>query width dQuery, feature width dValue, inner width dModel split over numHeads, output width dOut.</summary>
    public DenseCrossAttention(int dQuery, int dValue, int dModel, int numHeads, int dOut, string name = "DenseCrossAttention") : base(name)
    {
        if (dModel % numHeads != 0) throw new ArgumentException($"DenseCrossAttention: dModel {dModel} must be divisible by numHeads {numHeads}.");
        heads = numHeads;
        qProj = nn.Linear(dQuery, dModel);
        kProj = nn.Linear(dValue, dModel);
        vProj = nn.Linear(dValue, dModel);
        outputProj = nn.Linear(dModel, dOut);
        RegisterComponents();
    }

    /// <summary>query [N,Q,dQuery]; inputFlatten [N,I,S,dValue]; attentionMask [N,I] or [N,Q',I] (1 = may attend;
    /// with Q' ≠ Q the last row is used). Returns [N,Q,dOut].</summary>
    public Tensor forward(Tensor query, Tensor inputFlatten, Tensor attentionMask)
    {
        long n = query.shape[0], q = query.shape[1], images = inputFlatten.shape[1], s = inputFlatten.shape[2];
        long width = qProj.weight!.shape[0], d = width / heads;
        Tensor mask = attentionMask.dim() == 2 ? attentionMask.unsqueeze(1)
            : attentionMask.shape[1] != q ? attentionMask.narrow(1, attentionMask.shape[1] - 1, 1) : attentionMask; // [N,R,I]
        Tensor qh = qProj.forward(query).view(n, q, heads, d).transpose(1, 2);                     // [N,M,Q,d]
        Tensor kh = kProj.forward(inputFlatten).view(n, images * s, heads, d).permute(0, 2, 3, 1);  // [N,M,d,I·S]
        Tensor vh = vProj.forward(inputFlatten).view(n, images * s, heads, d).transpose(1, 2);      // [N,M,I·S,d]
        Tensor logits = qh.matmul(kh) / Math.Sqrt(d);                                                // [N,M,Q,I·S]
        Tensor hidden = (1 - mask.to(query.dtype)) * -10000.0;                                       // [N,R,I]
        logits = logits + hidden.unsqueeze(1).unsqueeze(-1).expand(n, 1, mask.shape[1], images, s).reshape(n, 1, mask.shape[1], images * s);
        Tensor probabilities = F.softmax(cat([logits, zeros(n, heads, q, 1, dtype: logits.dtype, device: logits.device)], -1), -1)
            .narrow(-1, 0, images * s);
        Tensor output = probabilities.matmul(vh).transpose(1, 2).reshape(n, q, width);
        return outputProj.forward(output);
    }
}
