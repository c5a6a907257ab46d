using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>UNetMidBlock2DCrossAttn</c>: resnets.0, attentions.0, resnets.1 at the deepest level.</summary>
public sealed class UNetMidBlock2DCrossAttn : nn.Module
{
    [ComponentName(Name = "attentions")] private readonly ModuleList<Transformer2DModel> attentions;
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;

    /// <summary>The mid block of <paramref name="config"/> (the last level's channels and heads).</summary>
    public UNetMidBlock2DCrossAttn(UNet2DConditionConfig config, string name = "mid_block") : base(name)
    {
        int c = config.BlockOutChannels[^1];
        ResnetBlock2D Resnet() => new(c, c, config.TimeEmbeddingDim, config.NormNumGroups, config.NormEps, config.MidBlockScaleFactor);
        attentions = new ModuleList<Transformer2DModel>(new Transformer2DModel(c, config.AttentionHeads[^1], config.CrossAttentionDim, config.NormNumGroups, config.UseLinearProjection));
        resnets = new ModuleList<ResnetBlock2D>(Resnet(), Resnet());
        RegisterComponents();
    }

    /// <summary>[B, C, h, w] → [B, C, h, w].</summary>
    public Tensor forward(Tensor h, Tensor timeEmbedding, Tensor context) =>
        resnets[1].forward(attentions[0].forward(resnets[0].forward(h, timeEmbedding), context), timeEmbedding);
}
