using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The ConvFFN's depthwise 3×3 convolution (adapter_modules.py <c>DWConv</c>; its conv is again named <c>dwconv</c>,
/// hence the doubled key). The token sequence holds several square level maps back to back; each is reshaped to its
/// map, convolved on its own (no mixing across levels) and flattened back.
/// </summary>
public sealed class DepthwiseConv : nn.Module
{
    [ComponentName(Name = "dwconv")] private readonly Conv2d dwconv;

    /// <summary>Builds a depthwise 3×3 conv (padding 1, with bias) over <paramref name="channels"/> channels.</summary>
    public DepthwiseConv(int channels, string name = "dwconv") : base(name)
    {
        dwconv = nn.Conv2d(channels, channels, 3, stride: 1, padding: 1, groups: channels, bias: true);
        RegisterComponents();
    }

    /// <summary>x [B, N, C] with N = Σ side²; each level in order is a row-major side×side map. Returns [B, N, C].</summary>
    public Tensor forward(Tensor x, IReadOnlyList<int> levelSides)
    {
        long b = x.shape[0], c = x.shape[2];
        long expected = levelSides.Sum(s => (long)s * s);
        if (x.shape[1] != expected)
            throw new ArgumentException($"DepthwiseConv: {x.shape[1]} tokens, but the level sides [{string.Join(", ", levelSides)}] hold {expected}.");
        var pieces = new List<Tensor>(levelSides.Count);
        long start = 0;
        foreach (int side in levelSides)
        {
            Tensor map = x.narrow(1, start, (long)side * side).transpose(1, 2).reshape(b, c, side, side);
            pieces.Add(dwconv.forward(map).flatten(2).transpose(1, 2));
            start += (long)side * side;
        }
        return cat(pieces, 1);
    }
}
