using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Vision;

/// <summary>
/// Dense per-cell classifier used only to pre-train the vision encoder (not part of the MM-Interleaved model): for each
/// cell of an n×n grid over the image it average- and max-pools the encoder's G×G maps (the adapter's c3 map, which MMFS
/// reads, and the ViT's final tokens, which the resampler reads), then LayerNorm and two linear heads predict the glyph kind
/// and its colour (the pilot's recipe, design/pilot-findings.md).
/// </summary>
public sealed class CellClassifierHead : nn.Module
{
    [ComponentName(Name = "norm")] private readonly LayerNorm norm;
    [ComponentName(Name = "kind")] private readonly Linear kind;
    [ComponentName(Name = "colour")] private readonly Linear colour;
    private readonly int cells;

    /// <summary>A head for encoder width <paramref name="width"/>, an n×n grid of <paramref name="gridCells"/> per side,
    /// <paramref name="kinds"/> glyph classes and <paramref name="colours"/> colour classes.</summary>
    public CellClassifierHead(int width, int gridCells, int kinds, int colours, string name = "cell_head") : base(name)
    {
        cells = gridCells;
        norm = nn.LayerNorm(4 * width);
        kind = nn.Linear(4 * width, kinds);
        colour = nn.Linear(4 * width, colours);
        RegisterComponents();
    }

    /// <summary>Logits [B,n²,kinds] and [B,n²,colours] from an encoder output.</summary>
    public (Tensor Kinds, Tensor Colours) forward(VisionEncoderOutput output)
    {
        var map = output.MultiScaleFeatures[2];                                    // c3: [B,W,G,G]
        var pooled = cat([PoolCells(map, cells), PoolCells(TokenMap(output), cells)], 2);  // [B,n²,4W]
        var features = norm.forward(pooled);
        return (kind.forward(features), colour.forward(features));
    }

    /// <summary>The ViT's final patch tokens [B,W,G,G] as a map (the CLS token left out): what the resampler reads.</summary>
    public static Tensor TokenMap(VisionEncoderOutput output)
    {
        var map = output.MultiScaleFeatures[2];
        long b = map.shape[0], w = map.shape[1], g = map.shape[2];
        return output.LastHiddenState.narrow(1, 1, g * g).transpose(1, 2).reshape(b, w, g, g);
    }

    /// <summary>Average and max of a map [B,W,h,w] over each cell of an n×n grid: [B,n²,2W], cells row-major.</summary>
    public static Tensor PoolCells(Tensor map, int cells) =>
        cat([F.adaptive_avg_pool2d(map, [cells, cells]), F.adaptive_max_pool2d(map, [cells, cells])], 1).flatten(2).transpose(1, 2);
}
