using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>The extractor's convolutional feed-forward block (adapter_modules.py <c>ConvFFN</c>): fc1, depthwise 3×3
/// per level map, GELU (exact), fc2. Dropout is 0 in the reference and omitted.</summary>
public sealed class ConvFfn : nn.Module
{
    [ComponentName(Name = "fc1")] private readonly Linear fc1;
    [ComponentName(Name = "dwconv")] private readonly DepthwiseConv dwconv;
    [ComponentName(Name = "fc2")] private readonly Linear fc2;

    /// <summary>Builds width → hidden → width (PyTorch default init).</summary>
    public ConvFfn(int width, int hidden, string name = "ffn") : base(name)
    {
        fc1 = nn.Linear(width, hidden);
        dwconv = new DepthwiseConv(hidden);
        fc2 = nn.Linear(hidden, width);
        RegisterComponents();
    }

    /// <summary>x [B, N, width] holding the level maps of <paramref name="levelSides"/> → [B, N, width].</summary>
    public Tensor forward(Tensor x, IReadOnlyList<int> levelSides) =>
        fc2.forward(F.gelu(dwconv.forward(fc1.forward(x), levelSides)));

    /// <summary>The two Linears, for the reference's HF bias init.</summary>
    internal IEnumerable<Linear> Linears => [fc1, fc2];
}
