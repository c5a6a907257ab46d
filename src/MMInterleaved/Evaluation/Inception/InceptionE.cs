using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>torchvision's <c>InceptionE</c> (Mixed_7b, 7c) as pytorch-fid patches it: split 1×3/3×1 branches, 2048
/// channels out; the pool branch averages without padding in Mixed_7b (<c>FIDInceptionE_1</c>) and takes the max in
/// Mixed_7c (<c>FIDInceptionE_2</c>).</summary>
public sealed class InceptionE : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly BasicConv2d branch1x1;
    [ComponentName(Name = "branch3x3_1")] private readonly BasicConv2d branch3x3_1;
    [ComponentName(Name = "branch3x3_2a")] private readonly BasicConv2d branch3x3_2a;
    [ComponentName(Name = "branch3x3_2b")] private readonly BasicConv2d branch3x3_2b;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly BasicConv2d branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly BasicConv2d branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3a")] private readonly BasicConv2d branch3x3dbl_3a;
    [ComponentName(Name = "branch3x3dbl_3b")] private readonly BasicConv2d branch3x3dbl_3b;
    [ComponentName(Name = "branch_pool")] private readonly BasicConv2d branchPool;
    private readonly bool maxPool;

    /// <summary>A block reading <paramref name="input"/> channels; <paramref name="maxPool"/> for Mixed_7c.</summary>
    public InceptionE(long input, bool maxPool) : base("inception_e")
    {
        this.maxPool = maxPool;
        branch1x1 = new BasicConv2d(input, 320, 1);
        branch3x3_1 = new BasicConv2d(input, 384, 1);
        branch3x3_2a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new BasicConv2d(input, 448, 1);
        branch3x3dbl_2 = new BasicConv2d(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new BasicConv2d(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new BasicConv2d(384, 384, (3, 1), padding: (1, 0));
        branchPool = new BasicConv2d(input, 192, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var s = branch3x3_1.forward(x);
        var b3 = cat([branch3x3_2a.forward(s), branch3x3_2b.forward(s)], 1);
        var d = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        var bd = cat([branch3x3dbl_3a.forward(d), branch3x3dbl_3b.forward(d)], 1);
        var bp = branchPool.forward(InceptionPooling.Pool3x3(x, maxPool));
        return cat([b1, b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
