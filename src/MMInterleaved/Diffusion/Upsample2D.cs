using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>diffusers' <c>Upsample2D</c> with a convolution: nearest-neighbour ×2 (or to an explicit size, which the UNet
/// passes when the input side is not a multiple of its total up-sampling), then a 3×3 convolution.</summary>
public sealed class Upsample2D : nn.Module
{
    [ComponentName(Name = "conv")] private readonly Conv2d conv;

    /// <summary>Keeps <paramref name="channels"/>.</summary>
    public Upsample2D(int channels, string name = "upsampler") : base(name)
    {
        conv = DiffusionLayers.Conv(channels, channels, 3);
        RegisterComponents();
    }

    /// <summary>x [B, C, H, W] → [B, C, 2H, 2W], or [B, C, size.H, size.W].</summary>
    public Tensor forward(Tensor x, (long H, long W)? size = null)
    {
        using var scope = NewDisposeScope();
        var up = size is { } target
            ? F.interpolate(x, size: [target.H, target.W], mode: InterpolationMode.Nearest)
            : F.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        return conv.forward(up).MoveToOuterDisposeScope();
    }
}
