using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>torchvision's <c>InceptionA</c> (Mixed_5b–5d) with pytorch-fid's pool patch: 1×1, 5×5, double 3×3 and pool
/// branches, 224 + <c>poolFeatures</c> channels out.</summary>
public sealed class InceptionA : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly BasicConv2d branch1x1;
    [ComponentName(Name = "branch5x5_1")] private readonly BasicConv2d branch5x5_1;
    [ComponentName(Name = "branch5x5_2")] private readonly BasicConv2d branch5x5_2;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly BasicConv2d branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly BasicConv2d branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3")] private readonly BasicConv2d branch3x3dbl_3;
    [ComponentName(Name = "branch_pool")] private readonly BasicConv2d branchPool;

    /// <summary>A block reading <paramref name="input"/> channels.</summary>
    public InceptionA(long input, long poolFeatures) : base("inception_a")
    {
        branch1x1 = new BasicConv2d(input, 64, 1);
        branch5x5_1 = new BasicConv2d(input, 48, 1);
        branch5x5_2 = new BasicConv2d(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new BasicConv2d(input, 64, 1);
        branch3x3dbl_2 = new BasicConv2d(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new BasicConv2d(96, 96, 3, padding: 1);
        branchPool = new BasicConv2d(input, poolFeatures, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b5 = branch5x5_2.forward(branch5x5_1.forward(x));
        var b3 = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        var bp = branchPool.forward(InceptionPooling.Pool3x3(x, max: false));
        return cat([b1, b5, b3, bp], 1).MoveToOuterDisposeScope();
    }
}
