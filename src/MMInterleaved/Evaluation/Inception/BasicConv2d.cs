using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>
/// torchvision's <c>BasicConv2d</c>: a bias-free convolution, batch norm (ε = 0.001, TensorFlow's value) and ReLU; the
/// unit every InceptionV3 block is built from. Parameter names <c>conv.weight</c>, <c>bn.*</c>.
/// </summary>
public sealed class BasicConv2d : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "conv")] private readonly Conv2d conv;
    [ComponentName(Name = "bn")] private readonly BatchNorm2d bn;

    /// <summary>A (kh × kw) convolution <paramref name="input"/> → <paramref name="output"/> channels.</summary>
    public BasicConv2d(long input, long output, (long, long) kernel, long stride = 1, (long, long) padding = default) : base("basic_conv2d")
    {
        conv = nn.Conv2d(input, output, kernel, stride: (stride, stride), padding: padding, bias: false);
        bn = nn.BatchNorm2d(output, eps: 0.001);
        RegisterComponents();
    }

    /// <summary>A square (k × k) convolution with symmetric padding.</summary>
    public BasicConv2d(long input, long output, long kernel, long stride = 1, long padding = 0)
        : this(input, output, (kernel, kernel), stride, (padding, padding)) { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => F.relu(bn.forward(conv.forward(x)));
}
