using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> with the default (additive) time conditioning: h = conv1(SiLU(norm1(x))), + the
/// projected time embedding, h = conv2(SiLU(norm2(h))), out = (shortcut(x) + h) / scale, where the shortcut is a 1×1
/// <c>conv_shortcut</c> only when the width changes. The VAE's resnets have no time embedding.
/// </summary>
public sealed class ResnetBlock2D : nn.Module
{
    [ComponentName(Name = "norm1")] private readonly GroupNorm norm1;
    [ComponentName(Name = "conv1")] private readonly Conv2d conv1;
    [ComponentName(Name = "time_emb_proj")] private readonly Linear? timeEmbProj;
    [ComponentName(Name = "norm2")] private readonly GroupNorm norm2;
    [ComponentName(Name = "conv2")] private readonly Conv2d conv2;
    [ComponentName(Name = "conv_shortcut")] private readonly Conv2d? convShortcut;
    private readonly double outputScaleFactor;

    /// <summary><paramref name="input"/> → <paramref name="output"/> channels; <paramref name="timeChannels"/> null: no
    /// time embedding (VAE).</summary>
    public ResnetBlock2D(int input, int output, int? timeChannels, int groups, double eps, double outputScaleFactor = 1, string name = "resnet") : base(name)
    {
        this.outputScaleFactor = outputScaleFactor;
        norm1 = DiffusionLayers.GroupNorm(groups, input, eps);
        conv1 = DiffusionLayers.Conv(input, output, 3);
        if (timeChannels is int t) timeEmbProj = nn.Linear(t, output);
        norm2 = DiffusionLayers.GroupNorm(groups, output, eps);
        conv2 = DiffusionLayers.Conv(output, output, 3);
        if (input != output) convShortcut = DiffusionLayers.Conv(input, output, 1);
        RegisterComponents();
    }

    /// <summary>x [B, Cin, H, W] and the time embedding [B, T] (null without one) → [B, C, H, W].</summary>
    public Tensor forward(Tensor x, Tensor? timeEmbedding)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(F.silu(norm1.forward(x)));
        if (timeEmbProj is not null && timeEmbedding is not null)
            h = h + timeEmbProj.forward(F.silu(timeEmbedding)).unsqueeze(-1).unsqueeze(-1);
        h = conv2.forward(F.silu(norm2.forward(h)));
        var shortcut = convShortcut is null ? x : convShortcut.forward(x);
        var output = shortcut + h;
        if (outputScaleFactor != 1) output = output / outputScaleFactor;
        return output.MoveToOuterDisposeScope();
    }
}
