using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>DownEncoderBlock2D</c>: resnets without time embedding (eps 1e-6), then, on every level but the
/// last, the asymmetric stride-2 down-sampler (pad right and bottom by one, convolve without padding).</summary>
public sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;
    [ComponentName(Name = "downsamplers")] private readonly ModuleList<Downsample2D>? downsamplers;

    /// <summary><paramref name="input"/> → <paramref name="output"/> channels in <paramref name="layers"/> resnets.</summary>
    public DownEncoderBlock2D(int input, int output, int layers, int groups, bool downsample, string name = "down_block") : base(name)
    {
        resnets = new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers)
            .Select(j => new ResnetBlock2D(j == 0 ? input : output, output, null, groups, AutoencoderKL.NormEps)).ToArray());
        if (downsample) downsamplers = new ModuleList<Downsample2D>(new Downsample2D(output, padding: 0));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor h)
    {
        foreach (var resnet in resnets) h = resnet.forward(h, null);
        return downsamplers is null ? h : downsamplers[0].forward(h);
    }
}
