using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>UNetMidBlock2D</c> as the VAE uses it: resnets.0, the spatial single-head attentions.0 (its own
/// GroupNorm, q/k/v with bias, residual), resnets.1; no time embedding, eps 1e-6.</summary>
public sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "attentions")] private readonly ModuleList<Attention> attentions;
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;

    /// <summary>A mid block of <paramref name="channels"/> with <paramref name="groups"/> GroupNorm groups.</summary>
    public UNetMidBlock2D(int channels, int groups, string name = "mid_block") : base(name)
    {
        attentions = new ModuleList<Attention>(new Attention(channels, null, 1, channels, qkvBias: true, spatialNorm: (groups, AutoencoderKL.NormEps)));
        resnets = new ModuleList<ResnetBlock2D>(
            new ResnetBlock2D(channels, channels, null, groups, AutoencoderKL.NormEps), new ResnetBlock2D(channels, channels, null, groups, AutoencoderKL.NormEps));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor h) => resnets[1].forward(attentions[0].ForwardSpatial(resnets[0].forward(h, null)), null);
}
