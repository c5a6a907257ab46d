using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>HF <c>Blip2QFormerAttention</c>: multi-head attention (<c>attention</c>) followed by the post-LN residual
/// output (<c>output</c>), for self- or cross-attention.</summary>
public sealed class Blip2QFormerAttention : nn.Module
{
    [ComponentName(Name = "attention")] private readonly Blip2QFormerMultiHeadAttention attention;
    [ComponentName(Name = "output")] private readonly Blip2QFormerOutput output;

    /// <summary>Builds the block; cross-attention projects keys and values from EncoderHiddenSize.</summary>
    public Blip2QFormerAttention(ResamplerConfig config, bool isCrossAttention, string name = "attention") : base(name)
    {
        attention = new Blip2QFormerMultiHeadAttention(config, isCrossAttention);
        output = new Blip2QFormerOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>hidden [B or 1, Q, H]; see <see cref="Blip2QFormerMultiHeadAttention.forward"/>. Returns [B, Q, H].</summary>
    public Tensor forward(Tensor hidden, Tensor? encoderHidden = null, Tensor? additiveMask = null) =>
        output.forward(attention.forward(hidden, encoderHidden, additiveMask), hidden);
}
