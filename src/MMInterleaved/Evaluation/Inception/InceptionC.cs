using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>torchvision's <c>InceptionC</c> (Mixed_6b–6e) with pytorch-fid's pool patch: factorised 7×7 branches
/// (1×7 then 7×1) of width <c>channels7x7</c>, 768 channels out.</summary>
public sealed class InceptionC : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly BasicConv2d branch1x1;
    [ComponentName(Name = "branch7x7_1")] private readonly BasicConv2d branch7x7_1;
    [ComponentName(Name = "branch7x7_2")] private readonly BasicConv2d branch7x7_2;
    [ComponentName(Name = "branch7x7_3")] private readonly BasicConv2d branch7x7_3;
    [ComponentName(Name = "branch7x7dbl_1")] private readonly BasicConv2d branch7x7dbl_1;
    [ComponentName(Name = "branch7x7dbl_2")] private readonly BasicConv2d branch7x7dbl_2;
    [ComponentName(Name = "branch7x7dbl_3")] private readonly BasicConv2d branch7x7dbl_3;
    [ComponentName(Name = "branch7x7dbl_4")] private readonly BasicConv2d branch7x7dbl_4;
    [ComponentName(Name = "branch7x7dbl_5")] private readonly BasicConv2d branch7x7dbl_5;
    [ComponentName(Name = "branch_pool")] private readonly BasicConv2d branchPool;

    /// <summary>A block reading <paramref name="input"/> channels.</summary>
    public InceptionC(long input, long channels7x7) : base("inception_c")
    {
        long c7 = channels7x7;
        (long, long) row = (1, 7), column = (7, 1), rowPad = (0, 3), columnPad = (3, 0);
        branch1x1 = new BasicConv2d(input, 192, 1);
        branch7x7_1 = new BasicConv2d(input, c7, 1);
        branch7x7_2 = new BasicConv2d(c7, c7, row, padding: rowPad);
        branch7x7_3 = new BasicConv2d(c7, 192, column, padding: columnPad);
        branch7x7dbl_1 = new BasicConv2d(input, c7, 1);
        branch7x7dbl_2 = new BasicConv2d(c7, c7, column, padding: columnPad);
        branch7x7dbl_3 = new BasicConv2d(c7, c7, row, padding: rowPad);
        branch7x7dbl_4 = new BasicConv2d(c7, c7, column, padding: columnPad);
        branch7x7dbl_5 = new BasicConv2d(c7, 192, row, padding: rowPad);
        branchPool = new BasicConv2d(input, 192, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b1 = branch1x1.forward(x);
        var b7 = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        var bd = branch7x7dbl_1.forward(x);
        bd = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(bd))));
        var bp = branchPool.forward(InceptionPooling.Pool3x3(x, max: false));
        return cat([b1, b7, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
