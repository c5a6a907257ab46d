using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>torchvision's <c>InceptionB</c> (Mixed_6a), the 35 → 17 reduction: a stride-2 3×3, a double 3×3 ending in
/// stride 2, and a 3×3 stride-2 max pool.</summary>
public sealed class InceptionB : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch3x3")] private readonly BasicConv2d branch3x3;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly BasicConv2d branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly BasicConv2d branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3")] private readonly BasicConv2d branch3x3dbl_3;

    /// <summary>A block reading <paramref name="input"/> channels (384 + 96 + input out).</summary>
    public InceptionB(long input) : base("inception_b")
    {
        branch3x3 = new BasicConv2d(input, 384, 3, stride: 2);
        branch3x3dbl_1 = new BasicConv2d(input, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3.forward(x);
        var bd = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var bp = F.max_pool2d(x, 3, stride: 2);
        return cat([b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
