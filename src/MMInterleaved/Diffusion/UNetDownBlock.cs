using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// A UNet down block: diffusers' <c>CrossAttnDownBlock2D</c> (a <see cref="Transformer2DModel"/> after every resnet) or
/// <c>DownBlock2D</c> (resnets only), with a stride-2 <c>downsamplers.0</c> on every level but the last. Every
/// resnet (→ attention) output and the down-sampler output are skip features for the up path.
/// </summary>
public sealed class UNetDownBlock : nn.Module
{
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;
    [ComponentName(Name = "attentions")] private readonly ModuleList<Transformer2DModel>? attentions;
    [ComponentName(Name = "downsamplers")] private readonly ModuleList<Downsample2D>? downsamplers;

    /// <summary>Level <paramref name="level"/> of <paramref name="config"/>, reading <paramref name="input"/> channels.</summary>
    public UNetDownBlock(UNet2DConditionConfig config, int level, int input, string name = "down_block") : base(name)
    {
        int output = config.BlockOutChannels[level];
        bool last = level == config.BlockOutChannels.Count - 1;
        resnets = new ModuleList<ResnetBlock2D>(Enumerable.Range(0, config.LayersPerBlock)
            .Select(j => new ResnetBlock2D(j == 0 ? input : output, output, config.TimeEmbeddingDim, config.NormNumGroups, config.NormEps)).ToArray());
        if (config.DownBlockTypes[level] == UNet2DConditionConfig.CrossAttnDown)
            attentions = new ModuleList<Transformer2DModel>(Enumerable.Range(0, config.LayersPerBlock)
                .Select(_ => new Transformer2DModel(output, config.AttentionHeads[level], config.CrossAttentionDim, config.NormNumGroups, config.UseLinearProjection)).ToArray());
        if (!last) downsamplers = new ModuleList<Downsample2D>(new Downsample2D(output, config.DownsamplePadding));
        RegisterComponents();
    }

    /// <summary>Skip features this block adds (its resnets, and its down-sampler if it has one).</summary>
    public int SkipCount => resnets.Count + (downsamplers is null ? 0 : 1);

    /// <summary>Runs the block on <paramref name="h"/>, appending its skip features to <paramref name="skips"/>; returns its output.</summary>
    public Tensor forward(Tensor h, Tensor timeEmbedding, Tensor context, List<Tensor> skips)
    {
        for (int j = 0; j < resnets.Count; j++)
        {
            h = resnets[j].forward(h, timeEmbedding);
            if (attentions is not null) h = attentions[j].forward(h, context);
            skips.Add(h);
        }
        if (downsamplers is not null)
        {
            h = downsamplers[0].forward(h);
            skips.Add(h);
        }
        return h;
    }
}
