using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>Transformer2DModel</c> on a feature map, as the UNet's attention blocks use it: GroupNorm (eps 1e-6,
/// always), the map as H·W row-major tokens, <c>proj_in</c>, one <see cref="BasicTransformerBlock"/>, <c>proj_out</c>, back
/// to NCHW, plus the input. Linear projections (SD 2.x) or 1×1 convolutions in NCHW (SD 1.x).
/// </summary>
public sealed class Transformer2DModel : nn.Module
{
    [ComponentName(Name = "norm")] private readonly GroupNorm norm;
    [ComponentName(Name = "proj_in")] private readonly nn.Module<Tensor, Tensor> projIn;
    [ComponentName(Name = "transformer_blocks")] private readonly ModuleList<BasicTransformerBlock> transformerBlocks;
    [ComponentName(Name = "proj_out")] private readonly nn.Module<Tensor, Tensor> projOut;
    private readonly bool linearProjection;

    /// <summary>Channels <paramref name="channels"/> in <paramref name="heads"/> heads, attending to a context of
    /// <paramref name="contextDim"/>.</summary>
    public Transformer2DModel(int channels, int heads, int contextDim, int groups, bool linearProjection, string name = "attention") : base(name)
    {
        this.linearProjection = linearProjection;
        norm = DiffusionLayers.GroupNorm(groups, channels, 1e-6);
        projIn = linearProjection ? nn.Linear(channels, channels) : DiffusionLayers.Conv(channels, channels, 1);
        transformerBlocks = new ModuleList<BasicTransformerBlock>(new BasicTransformerBlock(channels, heads, contextDim));
        projOut = linearProjection ? nn.Linear(channels, channels) : DiffusionLayers.Conv(channels, channels, 1);
        RegisterComponents();
    }

    /// <summary>x [B, C, H, W], context [B, M, contextDim] → [B, C, H, W].</summary>
    public Tensor forward(Tensor x, Tensor context)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], height = x.shape[2], width = x.shape[3];
        var h = norm.forward(x);
        if (!linearProjection) h = projIn.forward(h);
        h = h.permute(0, 2, 3, 1).reshape(b, height * width, c);
        if (linearProjection) h = projIn.forward(h);
        foreach (var block in transformerBlocks) h = block.forward(h, context);
        if (linearProjection) h = projOut.forward(h);
        h = h.reshape(b, height, width, c).permute(0, 3, 1, 2).contiguous();
        if (!linearProjection) h = projOut.forward(h);
        return (h + x).MoveToOuterDisposeScope();
    }
}
