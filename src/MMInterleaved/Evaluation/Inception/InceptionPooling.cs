using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>
/// The pool branch of a stride-1 Inception block as pytorch-fid patches it to match TensorFlow's graph: a 3×3 average
/// that leaves the padded zeros out of the mean (<c>count_include_pad=False</c>), or, in the last block only, a 3×3
/// max pool (a quirk of the TensorFlow FID graph that pytorch-fid keeps).
/// </summary>
internal static class InceptionPooling
{
    /// <summary>3×3, stride 1, padding 1: average without the padding, or max when <paramref name="max"/>.</summary>
    public static Tensor Pool3x3(Tensor x, bool max) => max
        ? F.max_pool2d(x, 3, stride: 1, padding: 1)
        : F.avg_pool2d(x, 3, stride: 1, padding: 1, count_include_pad: false);
}
