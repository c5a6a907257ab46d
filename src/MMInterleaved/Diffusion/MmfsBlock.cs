using MMInterleaved.Mmfs;
using MMInterleaved.Vision;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Diffusion;

/// <summary>
/// The reference's <c>MMFSBlock</c>: the UNet feature map as H·W query tokens (LayerNorm, eps 1e-6, plus the frozen 2-D
/// sin-cos <c>pos_embed</c> resized to the map), MMFS from each pixel centre into the LayerNorm'd image features, back to
/// NCHW, then a zero-initialised 1×1 <c>conv</c>, so a new block adds nothing.
/// </summary>
public sealed class MmfsBlock : nn.Module
{
    [ComponentName(Name = "pos_embed")] private readonly Parameter posEmbed;
    [ComponentName(Name = "query_norm")] private readonly LayerNorm queryNorm;
    [ComponentName(Name = "feat_norm")] private readonly LayerNorm featNorm;
    [ComponentName(Name = "mmfs")] private readonly MultiModalFeatureSynchronizer mmfs;
    [ComponentName(Name = "conv")] private readonly Conv2d conv;

    /// <summary>A block on maps of <paramref name="channels"/> whose offsets are measured on a
    /// <paramref name="baseSpatialShape"/>² grid.</summary>
    public MmfsBlock(MmfsNetConfig config, int channels, int baseSpatialShape, string name = "mmfs_block") : base(name)
    {
        config.Validated();
        posEmbed = nn.Parameter(SinCosPositionEmbedding.Build2D(channels, config.PositionGrid), requires_grad: false);
        queryNorm = nn.LayerNorm(channels, eps: 1e-6);
        featNorm = nn.LayerNorm(config.InputChannel, eps: 1e-6);
        mmfs = new MultiModalFeatureSynchronizer(new MmfsOptions(
            DModel: config.AttnDim, DQuery: channels, DValue: config.InputChannel, DOut: channels, NumLevels: config.NumLevels,
            NumHeads: config.NumHeads, NumPoints: config.NumPoints, Ratio: 1.0, OffsetInitMagnitude: config.OffsetInitMagnitude,
            SpatialShapes: [.. config.SpatialShapes], BaseSpatialShape: baseSpatialShape, MaxImagesPerSequence: config.MaxImagesPerSequence));
        conv = DiffusionLayers.Conv(channels, channels, 1);
        RegisterComponents();
        using var noGrad = no_grad();
        conv.weight!.zero_();
        conv.bias!.zero_();
    }

    /// <summary>The MMFS module (for inspection of sampling points).</summary>
    public MultiModalFeatureSynchronizer Mmfs => mmfs;

    /// <summary>Pixels (row-major indices into this block's map) whose sampling points the following forward passes record
    /// in <see cref="LastSamples"/>; null records nothing.</summary>
    public long[]? InspectPositions { get; set; }

    /// <summary>What the last forward pass with <see cref="InspectPositions"/> recorded (detached copies on the CPU, owned by
    /// no dispose scope).</summary>
    public MmfsSamples? LastSamples { get; private set; }

    /// <summary>
    /// The block's output for <paramref name="x"/> [B, C, H, W] (not yet added to it), reading <paramref name="features"/>
    /// [B, I, S, InputChannel] (each image's levels flattened row-major and concatenated) of geometry
    /// <paramref name="shapes"/>/<paramref name="starts"/>, with <paramref name="mask"/> [B, I] (1 = the image is there).
    /// </summary>
    public Tensor forward(Tensor x, Tensor features, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var query = queryNorm.forward(x.flatten(2).transpose(1, 2));
        query = query + SinCosPositionEmbedding.ResizeGrid(posEmbed, (int)h, (int)w).to(query.dtype).unsqueeze(0);
        var reference = PixelCentres(h, w, query.dtype, query.device);
        Tensor output;
        if (InspectPositions is long[] positions)
        {
            var samples = mmfs.Inspect(query, reference, featNorm.forward(features), shapes, starts, mask, positions);
            output = samples.Output;
            static Tensor? Keep(Tensor? t) => t?.detach().cpu().clone().DetachFromDisposeScope();
            LastSamples = new MmfsSamples(Keep(samples.Output)!, Keep(samples.Locations), Keep(samples.Weights), Keep(samples.NullWeight));
        }
        else
        {
            output = mmfs.forward(query, reference, featNorm.forward(features), shapes, starts, mask);
        }
        return conv.forward(output.transpose(1, 2).reshape(b, c, h, w)).MoveToOuterDisposeScope();
    }

    /// <summary>Reference points ((x + ½)/W, (y + ½)/H) of every pixel in row-major order, made in float32 as the
    /// reference makes them: [1, H·W, 1, 2].</summary>
    public static Tensor PixelCentres(long h, long w, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var ys = (arange(h, dtype: float32, device: device) + 0.5f) / h;
        var xs = (arange(w, dtype: float32, device: device) + 0.5f) / w;
        var grid = stack([xs.view(1, -1).expand(h, w), ys.view(-1, 1).expand(h, w)], -1);
        return grid.reshape(1, h * w, 1, 2).to(dtype).MoveToOuterDisposeScope();
    }
}
