using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>Downsample2D</c> with a convolution: 3×3, stride 2, padding <paramref name="padding"/> (the
/// UNet's 1); padding 0 means the VAE encoder's asymmetric form (zero-pad one pixel right and bottom first).</summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv")] private readonly Conv2d conv;
    private readonly int padding;

    /// <summary>Keeps <paramref name="channels"/>; halves the side.</summary>
    public Downsample2D(int channels, int padding = 1, string name = "downsampler") : base(name)
    {
        this.padding = padding;
        conv = DiffusionLayers.Conv(channels, channels, 3, stride: 2, padding: padding);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => conv.forward(padding == 0 ? F.pad(x, [0, 1, 0, 1]) : x);
}
