using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Diffusion;

/// <summary>
/// diffusers' <c>Timesteps</c> (no parameters) and <c>TimestepEmbedding</c> (linear_1, SiLU, linear_2): the sinusoid of
/// the timestep, computed in float32 as diffusers computes it, then the MLP every resnet reads.
/// </summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "linear_1")] private readonly Linear linear1;
    [ComponentName(Name = "linear_2")] private readonly Linear linear2;

    /// <summary>Input width <paramref name="input"/> (the sinusoid's), output <paramref name="output"/>.</summary>
    public TimestepEmbedding(int input, int output, string name = "time_embedding") : base(name)
    {
        linear1 = nn.Linear(input, output);
        linear2 = nn.Linear(output, output);
        RegisterComponents();
    }

    /// <summary>[B, input] → [B, output].</summary>
    public override Tensor forward(Tensor projection) => linear2.forward(F.silu(linear1.forward(projection)));

    /// <summary>
    /// diffusers' <c>get_timestep_embedding</c>: frequencies exp(−ln(10000)·k/(half − shift)) for k &lt; half = dim/2, in
    /// float32; [sin | cos] of t·freq, swapped to [cos | sin] with <paramref name="flipSinToCos"/>; an odd dim is zero
    /// padded. <paramref name="timesteps"/> is [B] (any dtype); the result is float32 [B, dim].
    /// </summary>
    public static Tensor Sinusoid(Tensor timesteps, int dim, bool flipSinToCos = true, double freqShift = 0)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var exponent = arange(0, half, dtype: float32, device: timesteps.device) * (-Math.Log(10000));
        exponent = exponent / (half - freqShift);
        var arguments = timesteps.unsqueeze(1).to(float32) * exp(exponent).unsqueeze(0);
        var embedding = cat([sin(arguments), cos(arguments)], -1);
        if (flipSinToCos) embedding = cat([embedding.narrow(1, half, half), embedding.narrow(1, 0, half)], -1);
        if (dim % 2 == 1) embedding = F.pad(embedding, [0, 1]);
        return embedding.MoveToOuterDisposeScope();
    }
}
