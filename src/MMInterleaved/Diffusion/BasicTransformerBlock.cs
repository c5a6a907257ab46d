using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>BasicTransformerBlock</c> (pre-LN, LayerNorm eps 1e-5): self-attention over the image tokens,
/// cross-attention to the context, GEGLU feed-forward, each added back.</summary>
public sealed class BasicTransformerBlock : nn.Module
{
    [ComponentName(Name = "norm1")] private readonly LayerNorm norm1;
    [ComponentName(Name = "attn1")] private readonly Attention attn1;
    [ComponentName(Name = "norm2")] private readonly LayerNorm norm2;
    [ComponentName(Name = "attn2")] private readonly Attention attn2;
    [ComponentName(Name = "norm3")] private readonly LayerNorm norm3;
    [ComponentName(Name = "ff")] private readonly FeedForward ff;

    /// <summary>Token width <paramref name="dim"/> in <paramref name="heads"/> heads; context width <paramref name="contextDim"/>.</summary>
    public BasicTransformerBlock(int dim, int heads, int contextDim, string name = "transformer_block") : base(name)
    {
        norm1 = nn.LayerNorm(dim);
        attn1 = new Attention(dim, null, heads, dim / heads);
        norm2 = nn.LayerNorm(dim);
        attn2 = new Attention(dim, contextDim, heads, dim / heads);
        norm3 = nn.LayerNorm(dim);
        ff = new FeedForward(dim);
        RegisterComponents();
    }

    /// <summary>tokens [B, N, dim], context [B, M, contextDim] → [B, N, dim].</summary>
    public Tensor forward(Tensor h, Tensor context)
    {
        using var scope = NewDisposeScope();
        h = attn1.forward(norm1.forward(h)) + h;
        h = attn2.forward(norm2.forward(h), context) + h;
        h = ff.forward(norm3.forward(h)) + h;
        return h.MoveToOuterDisposeScope();
    }
}
