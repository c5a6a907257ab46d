using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Language;

/// <summary>HF <c>LlamaMLP</c>: down(silu(gate(x)) · up(x)), no biases.</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")] private readonly Linear gateProj;
    [ComponentName(Name = "up_proj")] private readonly Linear upProj;
    [ComponentName(Name = "down_proj")] private readonly Linear downProj;

    /// <summary>SwiGLU block of the given widths.</summary>
    public LlamaMlp(DecoderConfig config, string name = "mlp") : base(name)
    {
        gateProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        upProj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        downProj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => downProj.forward(F.silu(gateProj.forward(x)) * upProj.forward(x));
}
