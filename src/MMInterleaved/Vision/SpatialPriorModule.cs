using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// The ViT-Adapter's Spatial Prior Module (adapter_modules.py <c>SpatialPriorModule</c>, the same keys): a small
/// convolutional stem (three 3×3 convs, the first with stride 2, each with a channels-first LayerNorm and ReLU, then
/// a 3×3/2 max-pool) giving c1 at stride 4, then three stride-2 conv stages giving c2, c3, c4 at strides 8, 16, 32;
/// 1×1 convs fc1..fc4 project every level to the ViT width. Sequential indices 2, 5, 8 (ReLU) and 9 (max-pool) hold
/// no parameters, exactly as in the reference.
/// </summary>
public sealed class SpatialPriorModule : nn.Module<Tensor, (Tensor C1, Tensor C2, Tensor C3, Tensor C4)>
{
    [ComponentName(Name = "stem")] private readonly Sequential stem;
    [ComponentName(Name = "conv2")] private readonly Sequential conv2;
    [ComponentName(Name = "conv3")] private readonly Sequential conv3;
    [ComponentName(Name = "conv4")] private readonly Sequential conv4;
    [ComponentName(Name = "fc1")] private readonly Conv2d fc1;
    [ComponentName(Name = "fc2")] private readonly Conv2d fc2;
    [ComponentName(Name = "fc3")] private readonly Conv2d fc3;
    [ComponentName(Name = "fc4")] private readonly Conv2d fc4;

    /// <summary>Builds the module with PyTorch's default conv init (the reference leaves it so).</summary>
    public SpatialPriorModule(int inplanes, int embedDim, double normEps = 1e-6, int inChannels = 3, string name = "adapter_spm") : base(name)
    {
        int p = inplanes;
        Conv2d Conv3x3(int cin, int cout, int stride) => nn.Conv2d(cin, cout, 3, stride: stride, padding: 1, bias: false);
        stem = nn.Sequential(
            Conv3x3(inChannels, p, 2), new ChannelsFirstLayerNorm(p, normEps), nn.ReLU(),
            Conv3x3(p, p, 1), new ChannelsFirstLayerNorm(p, normEps), nn.ReLU(),
            Conv3x3(p, p, 1), new ChannelsFirstLayerNorm(p, normEps), nn.ReLU(),
            nn.MaxPool2d(3, stride: 2, padding: 1));
        conv2 = nn.Sequential(Conv3x3(p, 2 * p, 2), new ChannelsFirstLayerNorm(2 * p, normEps), nn.ReLU());
        conv3 = nn.Sequential(Conv3x3(2 * p, 4 * p, 2), new ChannelsFirstLayerNorm(4 * p, normEps), nn.ReLU());
        conv4 = nn.Sequential(Conv3x3(4 * p, 4 * p, 2), new ChannelsFirstLayerNorm(4 * p, normEps), nn.ReLU());
        fc1 = nn.Conv2d(p, embedDim, 1);
        fc2 = nn.Conv2d(2 * p, embedDim, 1);
        fc3 = nn.Conv2d(4 * p, embedDim, 1);
        fc4 = nn.Conv2d(4 * p, embedDim, 1);
        RegisterComponents();
    }

    /// <summary>x [B, 3, S, S] → four maps [B, embedDim, ·, ·] of sides S/4, S/8, S/16, S/32.</summary>
    public override (Tensor C1, Tensor C2, Tensor C3, Tensor C4) forward(Tensor x)
    {
        Tensor c1 = stem.forward(x);
        Tensor c2 = conv2.forward(c1);
        Tensor c3 = conv3.forward(c2);
        Tensor c4 = conv4.forward(c3);
        return (fc1.forward(c1), fc2.forward(c2), fc3.forward(c3), fc4.forward(c4));
    }
}
