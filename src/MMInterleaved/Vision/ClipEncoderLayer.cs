using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>One pre-LN CLIP transformer layer (HF <c>CLIPEncoderLayer</c> names):
/// x + attn(LN1(x)), then + mlp(LN2(·)).</summary>
public sealed class ClipEncoderLayer : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "self_attn")] private readonly ClipAttention selfAttn;
    [ComponentName(Name = "layer_norm1")] private readonly LayerNorm layerNorm1;
    [ComponentName(Name = "mlp")] private readonly ClipMlp mlp;
    [ComponentName(Name = "layer_norm2")] private readonly LayerNorm layerNorm2;

    /// <summary>Builds the layer (HF CLIP init; LayerNorms ones/zeros).</summary>
    public ClipEncoderLayer(VisionEncoderConfig config, string name = "layer") : base(name)
    {
        selfAttn = new ClipAttention(config);
        layerNorm1 = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        mlp = new ClipMlp(config);
        layerNorm2 = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>x [B, T, W] → [B, T, W].</summary>
    public override Tensor forward(Tensor x)
    {
        x = x + selfAttn.forward(layerNorm1.forward(x));
        return x + mlp.forward(layerNorm2.forward(x));
    }
}
