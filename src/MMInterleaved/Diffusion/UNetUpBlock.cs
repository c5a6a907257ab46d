using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// A UNet up block: diffusers' <c>CrossAttnUpBlock2D</c> or <c>UpBlock2D</c> with layers_per_block + 1 resnets. Each
/// resnet takes [hidden, skip] (hidden first) with the skip popped from the end of the list, then the attention if any;
/// every level but the last ends in <c>upsamplers.0</c>.
/// </summary>
public sealed class UNetUpBlock : nn.Module
{
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;
    [ComponentName(Name = "attentions")] private readonly ModuleList<Transformer2DModel>? attentions;
    [ComponentName(Name = "upsamplers")] private readonly ModuleList<Upsample2D>? upsamplers;

    /// <summary>Up block <paramref name="index"/> (0 = deepest) of <paramref name="config"/>.</summary>
    public UNetUpBlock(UNet2DConditionConfig config, int index, string name = "up_block") : base(name)
    {
        int n = config.BlockOutChannels.Count, level = n - 1 - index;
        int output = config.BlockOutChannels[level];
        var widths = config.UpResnetInputWidths().Where(w => w.Resnet.StartsWith($"up_blocks.{index}.", StringComparison.Ordinal)).Select(w => w.Width).ToArray();
        resnets = new ModuleList<ResnetBlock2D>(widths.Select(w => new ResnetBlock2D(w, output, config.TimeEmbeddingDim, config.NormNumGroups, config.NormEps)).ToArray());
        if (config.UpBlockTypes[index] == UNet2DConditionConfig.CrossAttnUp)
            attentions = new ModuleList<Transformer2DModel>(widths.Select(_ =>
                new Transformer2DModel(output, config.AttentionHeads[level], config.CrossAttentionDim, config.NormNumGroups, config.UseLinearProjection)).ToArray());
        if (index < n - 1) upsamplers = new ModuleList<Upsample2D>(new Upsample2D(output));
        RegisterComponents();
    }

    /// <summary>Skip features this block consumes.</summary>
    public int SkipCount => resnets.Count;

    /// <summary>Runs the block, taking its skips from the end of <paramref name="skips"/> (removed);
    /// <paramref name="upsampleSize"/> is the explicit output side for its up-sampler, when the UNet passes one.</summary>
    public Tensor forward(Tensor h, List<Tensor> skips, Tensor timeEmbedding, Tensor context, (long H, long W)? upsampleSize = null)
    {
        for (int j = 0; j < resnets.Count; j++)
        {
            var skip = skips[^1];
            skips.RemoveAt(skips.Count - 1);
            h = resnets[j].forward(cat([h, skip], 1), timeEmbedding);
            if (attentions is not null) h = attentions[j].forward(h, context);
        }
        return upsamplers is null ? h : upsamplers[0].forward(h, upsampleSize);
    }
}
