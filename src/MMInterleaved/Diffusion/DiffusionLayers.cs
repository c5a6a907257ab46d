using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>Layer factories of the diffusion models.</summary>
internal static class DiffusionLayers
{
    /// <summary>An affine GroupNorm with weight 1 and bias 0: TorchSharp 0.107 creates them with <c>empty</c> and never
    /// initialises them (diffusion-spec §6.1), so every GroupNorm of the UNet and the VAE is made here.</summary>
    public static GroupNorm GroupNorm(int groups, int channels, double eps)
    {
        var norm = nn.GroupNorm(groups, channels, eps, affine: true);
        using var noGrad = no_grad();
        norm.weight!.fill_(1);
        norm.bias!.fill_(0);
        return norm;
    }

    /// <summary>A square convolution with "same" padding for odd kernels.</summary>
    public static Conv2d Conv(long input, long output, int kernel, int stride = 1, int? padding = null) =>
        nn.Conv2d(input, output, kernel, stride: stride, padding: padding ?? (kernel - 1) / 2);
}
