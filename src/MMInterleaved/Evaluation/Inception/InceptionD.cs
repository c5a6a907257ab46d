using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>torchvision's <c>InceptionD</c> (Mixed_7a), the 17 → 8 reduction: 1×1 then stride-2 3×3, a 1×7/7×1/stride-2
/// 3×3 branch, and a 3×3 stride-2 max pool.</summary>
public sealed class InceptionD : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch3x3_1")] private readonly BasicConv2d branch3x3_1;
    [ComponentName(Name = "branch3x3_2")] private readonly BasicConv2d branch3x3_2;
    [ComponentName(Name = "branch7x7x3_1")] private readonly BasicConv2d branch7x7x3_1;
    [ComponentName(Name = "branch7x7x3_2")] private readonly BasicConv2d branch7x7x3_2;
    [ComponentName(Name = "branch7x7x3_3")] private readonly BasicConv2d branch7x7x3_3;
    [ComponentName(Name = "branch7x7x3_4")] private readonly BasicConv2d branch7x7x3_4;

    /// <summary>A block reading <paramref name="input"/> channels (320 + 192 + input out).</summary>
    public InceptionD(long input) : base("inception_d")
    {
        branch3x3_1 = new BasicConv2d(input, 192, 1);
        branch3x3_2 = new BasicConv2d(192, 320, 3, stride: 2);
        branch7x7x3_1 = new BasicConv2d(input, 192, 1);
        branch7x7x3_2 = new BasicConv2d(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new BasicConv2d(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new BasicConv2d(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b3 = branch3x3_2.forward(branch3x3_1.forward(x));
        var b7 = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        var bp = F.max_pool2d(x, 3, stride: 2);
        return cat([b3, b7, bp], 1).MoveToOuterDisposeScope();
    }
}
