using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>UpDecoderBlock2D</c>: resnets without time embedding (eps 1e-6), then, on every level but the
/// last, a nearest ×2 up-sampler with a 3×3 convolution.</summary>
public sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "resnets")] private readonly ModuleList<ResnetBlock2D> resnets;
    [ComponentName(Name = "upsamplers")] private readonly ModuleList<Upsample2D>? upsamplers;

    /// <summary><paramref name="input"/> → <paramref name="output"/> channels in <paramref name="layers"/> resnets.</summary>
    public UpDecoderBlock2D(int input, int output, int layers, int groups, bool upsample, string name = "up_block") : base(name)
    {
        resnets = new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers)
            .Select(j => new ResnetBlock2D(j == 0 ? input : output, output, null, groups, AutoencoderKL.NormEps)).ToArray());
        if (upsample) upsamplers = new ModuleList<Upsample2D>(new Upsample2D(output));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor h)
    {
        foreach (var resnet in resnets) h = resnet.forward(h, null);
        return upsamplers is null ? h : upsamplers[0].forward(h);
    }
}
