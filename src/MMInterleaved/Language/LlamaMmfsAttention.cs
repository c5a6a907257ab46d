using MMInterleaved.Mmfs;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Language;

/// <summary>
/// The reference's <c>LlamaMMFSAttention</c> ("llama_cross_attn"): h ← h + tanh(gate)·MMFS(RMSNorm₁(h), RMSNorm₂(V)),
/// with the gate starting at 0 so the decoder is unchanged at initialisation, every token's reference point at the image
/// centre (0.5, 0.5). For the Table 7 ablation, <c>attn</c> can instead be dense cross-attention over the feature maps or
/// over the resampler's tokens; the gate and norms are the same.
/// </summary>
public sealed class LlamaMmfsAttention : nn.Module
{
    [ComponentName(Name = "gate")] private readonly Parameter gate;
    [ComponentName(Name = "norm1")] private readonly RmsNorm norm1;
    [ComponentName(Name = "norm2")] private readonly RmsNorm norm2;
    [ComponentName(Name = "attn")] private readonly nn.Module attn;

    /// <summary>The cross-attention kind of this block.</summary>
    public CrossAttentionKind Kind { get; }

    /// <summary>A block for decoder width D = <paramref name="decoder"/>.HiddenSize reading memory of width
    /// <paramref name="valueDim"/>; <paramref name="levelSides"/> are the square sides of the levels MMFS reads and
    /// <paramref name="baseSide"/> the grid that measures offsets.</summary>
    public LlamaMmfsAttention(DecoderConfig decoder, CrossAttentionConfig config, int valueDim, int[] levelSides, int baseSide,
        string name = "llama_cross_attn") : base(name)
    {
        Kind = config.Kind;
        int d = decoder.HiddenSize;
        gate = nn.Parameter(full(1, config.GateInit));
        norm1 = new RmsNorm(d, decoder.RmsNormEps);
        norm2 = new RmsNorm(valueDim, decoder.RmsNormEps);
        if (valueDim % config.NumHeads != 0)
            throw new ArgumentException($"CrossAttentionConfig: NumHeads ({config.NumHeads}) must divide the visual feature width ({valueDim}).");
        attn = config.Kind == CrossAttentionKind.Deformable
            ? new MultiModalFeatureSynchronizer(new MmfsOptions(
                DModel: d, DQuery: d, DValue: valueDim, DOut: d, NumLevels: levelSides.Length, NumHeads: config.NumHeads, NumPoints: config.NumPoints,
                Ratio: (double)valueDim / d, OffsetInitMagnitude: config.OffsetInitMagnitude, SpatialShapes: levelSides,
                BaseSpatialShape: baseSide, MaxImagesPerSequence: config.MaxImagesPerSequence)
            {
                IgnoreTokenTrainable = true,                       // the reference re-enables every llama_cross_attn parameter
                ProjectionInitStd = decoder.InitializerRange,      // HF init of the LLM copies
            })
            : new DenseCrossAttention(d, valueDim, valueDim, config.NumHeads, d);
        RegisterComponents();
    }

    /// <summary>The current gate value tanh(g) (logged during training: either sign means open).</summary>
    public double GateValue => Math.Tanh(gate.detach().cpu().to(float64).item<double>());

    /// <summary>Token positions whose MMFS sampling points the following forward passes record in <see cref="LastSamples"/>
    /// (null: none, the plain forward). Only deformable blocks record.</summary>
    public long[]? InspectPositions { get; set; }

    /// <summary>What the last forward pass with <see cref="InspectPositions"/> recorded (its tensors belong to the caller's
    /// dispose scope).</summary>
    public MmfsSamples? LastSamples { get; private set; }

    /// <summary>Adds the gated cross-attention output to <paramref name="hidden"/> [B,L,D].</summary>
    public Tensor forward(Tensor hidden, VisualMemory memory)
    {
        var query = norm1.forward(hidden);
        var features = norm2.forward(memory.Features);
        Tensor output;
        if (attn is MultiModalFeatureSynchronizer mmfs)
        {
            var reference = full(1, hidden.shape[1], 1, 2, 0.5, dtype: hidden.dtype, device: hidden.device);
            if (InspectPositions is long[] positions)
            {
                LastSamples = mmfs.Inspect(query, reference, features, memory.SpatialShapes, memory.LevelStartIndex, memory.Mask, positions);
                output = LastSamples.Output;
            }
            else
            {
                output = mmfs.forward(query, reference, features, memory.SpatialShapes, memory.LevelStartIndex, memory.Mask);
            }
        }
        else
        {
            output = ((DenseCrossAttention)attn).forward(query, features, memory.Mask);
        }
        return hidden + gate.tanh() * output;
    }
}
