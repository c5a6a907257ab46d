using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>Attention</c> (default processor): q from the tokens, k and v from the context (the tokens themselves
/// for self-attention), <paramref name="heads"/> heads, softmax(q·kᵀ/√d)·v, then <c>to_out.0</c> (Linear) and
/// <c>to_out.1</c> (Dropout 0, no parameters). No mask: neither SD nor MM-Interleaved pads the context. The VAE's
/// mid-block attention is the spatial form (<see cref="ForwardSpatial"/>): its own <c>group_norm</c>, one head over all
/// positions, q/k/v with bias, the input added back.
/// </summary>
public sealed class Attention : nn.Module
{
    [ComponentName(Name = "to_q")] private readonly Linear toQ;
    [ComponentName(Name = "to_k")] private readonly Linear toK;
    [ComponentName(Name = "to_v")] private readonly Linear toV;
    [ComponentName(Name = "to_out")] private readonly ModuleList<nn.Module<Tensor, Tensor>> toOut;
    [ComponentName(Name = "group_norm")] private readonly GroupNorm? groupNorm;
    private readonly int heads;

    /// <summary>Query width <paramref name="queryDim"/>, context width <paramref name="contextDim"/> (null: self-attention),
    /// <paramref name="heads"/> heads of <paramref name="headDim"/>; q, k, v with bias only where <paramref name="qkvBias"/>
    /// (the UNet's have none, the VAE's have); <paramref name="spatialNorm"/> (groups, eps) builds the spatial form's group_norm.</summary>
    public Attention(int queryDim, int? contextDim, int heads, int headDim, bool qkvBias = false, (int Groups, double Eps)? spatialNorm = null, string name = "attn") : base(name)
    {
        this.heads = heads;
        if (spatialNorm is { } norm) groupNorm = DiffusionLayers.GroupNorm(norm.Groups, queryDim, norm.Eps);
        int inner = heads * headDim;
        toQ = nn.Linear(queryDim, inner, hasBias: qkvBias);
        toK = nn.Linear(contextDim ?? queryDim, inner, hasBias: qkvBias);
        toV = nn.Linear(contextDim ?? queryDim, inner, hasBias: qkvBias);
        toOut = new ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(inner, queryDim), nn.Dropout(0));
        RegisterComponents();
    }

    /// <summary>x [B, N, queryDim], context [B, M, contextDim] (null: x) → [B, N, queryDim].</summary>
    public Tensor forward(Tensor x, Tensor? context = null)
    {
        using var scope = NewDisposeScope();
        context ??= x;
        Tensor Split(Tensor t) => t.view(t.shape[0], t.shape[1], heads, -1).transpose(1, 2);   // [B, heads, N, d]
        var attended = F.scaled_dot_product_attention(Split(toQ.forward(x)), Split(toK.forward(context)), Split(toV.forward(context)));
        var merged = attended.transpose(1, 2).reshape(x.shape[0], x.shape[1], -1);
        return toOut[1].forward(toOut[0].forward(merged)).MoveToOuterDisposeScope();
    }

    /// <summary>The spatial form on a map x [B, C, H, W]: x + attention over its H·W positions after group_norm.</summary>
    public Tensor ForwardSpatial(Tensor x)
    {
        if (groupNorm is null) throw new InvalidOperationException("this Attention was built without a group_norm (spatialNorm).");
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var tokens = groupNorm.forward(x).view(b, c, h * w).transpose(1, 2);
        var attended = forward(tokens).transpose(1, 2).reshape(b, c, h, w);
        return (attended + x).MoveToOuterDisposeScope();
    }
}
