using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The ViT-Adapter's channels-first LayerNorm (adapter_modules.py <c>LayerNorm</c>, data_format "channels_first"):
/// normalises [B, C, H, W] over C with a biased variance, then scales and shifts per channel. Keys <c>weight</c>,
/// <c>bias</c> (ones, zeros).
/// </summary>
public sealed class ChannelsFirstLayerNorm : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")] private readonly Parameter weight;
    [ComponentName(Name = "bias")] private readonly Parameter bias;

    private readonly double eps;

    /// <summary>Builds the norm over <paramref name="channels"/> channels.</summary>
    public ChannelsFirstLayerNorm(long channels, double eps = 1e-6, string name = "LayerNorm") : base(name)
    {
        this.eps = eps;
        weight = nn.Parameter(ones(channels));
        bias = nn.Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <summary>x [B, C, H, W] → [B, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        // The reference computes in float32 and casts back, which matters for half inputs; float64 is kept as is.
        ScalarType inputType = x.dtype;
        ScalarType computeType = inputType == float64 ? float64 : float32;
        Tensor h = x.to(computeType);
        Tensor centred = h - h.mean([1], keepdim: true);
        Tensor variance = centred.pow(2).mean([1], keepdim: true);
        h = centred / (variance + eps).sqrt();
        h = weight.to(computeType).view(-1, 1, 1) * h + bias.to(computeType).view(-1, 1, 1);
        return h.to(inputType);
    }
}
