using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>CLIP's feed-forward block (HF <c>CLIPMLP</c> names): fc1, activation, fc2.</summary>
public sealed class ClipMlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "fc1")] private readonly Linear fc1;
    [ComponentName(Name = "fc2")] private readonly Linear fc2;

    private readonly bool quickGelu;

    /// <summary>Builds the MLP with HF CLIP's init: fc1 ~ N(0, (2W)^-½), fc2 ~ N(0, W^-½·(2L)^-½), biases 0.</summary>
    public ClipMlp(VisionEncoderConfig config, string name = "mlp") : base(name)
    {
        config.Validated();
        quickGelu = config.HiddenAct == "quick_gelu";
        fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize);
        fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
        using var noGrad = no_grad();
        nn.init.normal_(fc1.weight, 0, Math.Pow(2.0 * config.HiddenSize, -0.5));
        nn.init.normal_(fc2.weight, 0, Math.Pow(config.HiddenSize, -0.5) * Math.Pow(2.0 * config.NumLayers, -0.5));
        nn.init.zeros_(fc1.bias);
        nn.init.zeros_(fc2.bias);
    }

    /// <summary>x [..., W] → [..., W].</summary>
    public override Tensor forward(Tensor x)
    {
        Tensor h = fc1.forward(x);
        h = quickGelu ? h * sigmoid(1.702 * h) : F.gelu(h);
        return fc2.forward(h);
    }
}
