using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Ops;

/// <summary>
/// Deformable-DETR's multi-scale deformable attention (reference-spec.md §4.4), used by the ViT-Adapter's injectors
/// and extractors: per-level sampling offsets with the radial "grid" initialisation, attention weights softmaxed over
/// levels × points per head, and the same sampling core as MMFS. Parameter names equal the reference's.
/// </summary>
public sealed class MSDeformAttn : nn.Module
{
    [ComponentName(Name = "sampling_offsets")] private readonly Linear samplingOffsets;
    [ComponentName(Name = "attention_weights")] private readonly Linear attentionWeights;
    [ComponentName(Name = "value_proj")] private readonly Linear valueProj;
    [ComponentName(Name = "output_proj")] private readonly Linear outputProj;

    /// <summary>The options this module was built with.</summary>
    public MSDeformAttnOptions Options { get; }

    /// <summary>Builds the module with Deformable-DETR's initialisation.</summary>
    public MSDeformAttn(MSDeformAttnOptions options, string name = "MSDeformAttn") : base(name)
    {
        Options = options.Validated();
        int c = Options.DModel, m = Options.NumHeads, l = Options.NumLevels, p = Options.NumPoints;
        samplingOffsets = nn.Linear(c, m * l * p * 2);
        attentionWeights = nn.Linear(c, m * l * p);
        valueProj = nn.Linear(c, Options.ValueDim);
        outputProj = nn.Linear(Options.ValueDim, c);
        RegisterComponents();
        ResetParameters();
    }

    /// <summary>Offsets: weight 0, bias on a radial grid (head k points along angle 2πk/M, scaled to unit max-norm,
    /// times point index + 1, the same for every level); attention weights 0 (uniform softmax); Xavier projections.</summary>
    public void ResetParameters()
    {
        using var noGrad = no_grad();
        int m = Options.NumHeads, l = Options.NumLevels, p = Options.NumPoints;
        var grid = new float[m * l * p * 2];
        for (int h = 0; h < m; h++)
        {
            double theta = h * (2.0 * Math.PI / m);
            double x = Math.Cos(theta), y = Math.Sin(theta), norm = Math.Max(Math.Abs(x), Math.Abs(y));
            for (int lv = 0; lv < l; lv++)
                for (int i = 0; i < p; i++)
                {
                    int at = ((h * l + lv) * p + i) * 2;
                    grid[at] = (float)(x / norm * (i + 1));
                    grid[at + 1] = (float)(y / norm * (i + 1));
                }
        }
        nn.init.zeros_(samplingOffsets.weight);
        samplingOffsets.bias!.copy_(tensor(grid));
        nn.init.zeros_(attentionWeights.weight);
        nn.init.zeros_(attentionWeights.bias);
        nn.init.xavier_uniform_(valueProj.weight);
        nn.init.zeros_(valueProj.bias);
        nn.init.xavier_uniform_(outputProj.weight);
        nn.init.zeros_(outputProj.bias);
    }

    /// <summary>
    /// query [N,Lq,DModel]; referencePoints [N,Lq,NumLevels or 1,2] (x,y in [0,1]) or [...,4] boxes; inputFlatten
    /// [N,S,DModel]; spatialShapes [NumLevels,2] (H,W); levelStartIndex [NumLevels]; paddingMask [N,S] (true = padding)
    /// or null. Returns [N,Lq,DModel].
    /// </summary>
    public Tensor forward(Tensor query, Tensor referencePoints, Tensor inputFlatten, Tensor spatialShapes, Tensor levelStartIndex, Tensor? paddingMask = null)
    {
        int m = Options.NumHeads, l = Options.NumLevels, p = Options.NumPoints, d = Options.ValueDim / m;
        if (query.dim() != 3 || query.shape[2] != Options.DModel)
            throw new ArgumentException($"MSDeformAttn query must be [N,Lq,{Options.DModel}]; got [{string.Join(",", query.shape)}].");
        if (inputFlatten.dim() != 3 || inputFlatten.shape[2] != Options.DModel)
            throw new ArgumentException($"MSDeformAttn inputFlatten must be [N,S,{Options.DModel}]; got [{string.Join(",", inputFlatten.shape)}].");
        if (spatialShapes.shape[0] != l)
            throw new ArgumentException($"MSDeformAttn has NumLevels = {l} but spatialShapes has {spatialShapes.shape[0]} rows.");
        long n = query.shape[0], lq = query.shape[1], s = inputFlatten.shape[1];

        Tensor value = valueProj.forward(inputFlatten);
        if (paddingMask is not null) value = value.masked_fill(paddingMask.unsqueeze(-1), 0.0);
        value = value.view(n, s, m, d);
        Tensor offsets = samplingOffsets.forward(query).view(n, lq, m, l, p, 2);
        Tensor weights = F.softmax(attentionWeights.forward(query).view(n, lq, m, l * p), -1).view(n, lq, m, l, p);

        Tensor reference = referencePoints.unsqueeze(2).unsqueeze(4); // [N,Lq,1,L or 1,1,2|4]
        Tensor locations = referencePoints.shape[^1] switch
        {
            2 => reference + offsets / spatialShapes.to(query.dtype).to(query.device).flip(-1).view(1, 1, 1, l, 1, 2),
            4 => reference.narrow(-1, 0, 2) + offsets / p * reference.narrow(-1, 2, 2) * 0.5,
            _ => throw new ArgumentException($"MSDeformAttn referencePoints must end in 2 (x,y) or 4 (box) values; got [{string.Join(",", referencePoints.shape)}]."),
        };
        Tensor output = MultiScaleDeformableAttention.Forward(value, spatialShapes, levelStartIndex, locations, weights);
        return outputProj.forward(output);
    }
}
