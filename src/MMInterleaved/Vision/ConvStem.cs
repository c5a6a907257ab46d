using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// A convolutional stem in place of CLIP's single patch convolution (a deliberate deviation for small images, off by
/// default): pairs of 3×3 convolutions with strides 1 then 2, each followed by BatchNorm and GELU, reaching the patch grid
/// after log2(PatchSize) pairs. A pilot found that an 8-px patch or a 7-px conv stem cannot learn to read 7–9-px glyphs in
/// an ablation budget, while this stem (widths 32, 32, 64, 64 to 1/4 resolution) reads them within minutes
/// (design/pilot-findings.md). When its parameters are frozen, BatchNorm uses its running statistics even in training mode,
/// so a frozen pre-trained encoder stays fixed.
/// </summary>
public sealed class ConvStem : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "convs")] private readonly ModuleList<Conv2d> convs;
    [ComponentName(Name = "norms")] private readonly ModuleList<BatchNorm2d> norms;

    /// <summary>Stem from <paramref name="channels"/> input channels through <paramref name="widths"/> (stride 1, 2, 1, 2, …).</summary>
    public ConvStem(int channels, IReadOnlyList<int> widths, string name = "conv_stem") : base(name)
    {
        convs = new ModuleList<Conv2d>(widths.Select((w, i) =>
            nn.Conv2d(i == 0 ? channels : widths[i - 1], w, 3, stride: i % 2 == 0 ? 1 : 2, padding: 1, bias: false)).ToArray());
        norms = new ModuleList<BatchNorm2d>(widths.Select(w => nn.BatchNorm2d(w)).ToArray());
        RegisterComponents();
        using var noGrad = no_grad();
        foreach (var norm in norms)
        {
            norm.weight!.fill_(1.0); // set explicitly: TorchSharp's normalisation layers have left these uninitialised
            norm.bias!.zero_();
        }
    }

    /// <summary>[B,C,H,W] → [B,widths[^1],H/2^k,W/2^k].</summary>
    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < convs.Count; i++)
        {
            var norm = norms[i];
            bool updateStatistics = training && norm.weight!.requires_grad;
            x = convs[i].forward(x);
            x = F.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, updateStatistics, 0.1, 1e-5);
            x = F.gelu(x);
        }
        return x;
    }
}
