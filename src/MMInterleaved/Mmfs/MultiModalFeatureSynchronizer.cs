using MMInterleaved.Ops;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Mmfs;

/// <summary>
/// The Multi-Modal Feature Synchronizer (MMFS), the paper's contribution: a multi-image, multi-scale deformable
/// cross-attention. Each query token predicts, per image it may see, a few sampling offsets per head (shared by all
/// levels, scaled by level size) and attention logits; one softmax runs jointly over images × levels × points plus
/// a null slot, and the output is the weighted sum of bilinear samples of the images' multi-scale feature maps.
/// Exactly the reference's algorithm (reference-spec.md §4.2); state-dict keys equal the reference's.
/// <para>
/// Two exact rewrites make it cheaper than the reference: <c>dynamic_offset_mask</c> runs once per token instead of
/// once per (token, image) (it is linear and its input is the same for every image), and the offset and logit
/// projections of (z + E_rel[rel]) are split into a per-token part W·z and a per-relative-index table W·E + b
/// gathered per (token, image). The null slot (the reference's I·L entries of logit −ln(I·L)) is computed as the
/// single logit-0 entry it is equivalent to.
/// </para>
/// </summary>
public sealed class MultiModalFeatureSynchronizer : nn.Module
{
    [ComponentName(Name = "dynamic_offset_mask")] private readonly Linear dynamicOffsetMask;
    [ComponentName(Name = "query_relpos")] private readonly Embedding queryRelpos;
    [ComponentName(Name = "sampling_offsets")] private readonly Linear samplingOffsets;
    [ComponentName(Name = "attention_weights")] private readonly Linear attentionWeights;
    [ComponentName(Name = "value_proj")] private readonly Linear valueProj;
    [ComponentName(Name = "output_proj")] private readonly Linear outputProj;
    [ComponentName(Name = "ignore_token")] private readonly Parameter ignoreToken;

    /// <summary>The options this module was built with.</summary>
    public MmfsOptions Options { get; }

    /// <summary>Builds the module with the reference's initialisation (§4.3).</summary>
    public MultiModalFeatureSynchronizer(MmfsOptions options, string name = "MMFS") : base(name)
    {
        Options = options.Validated();
        int dq = Options.QueryDim, m = Options.NumHeads, p = Options.NumPoints, lv = Options.NumLevels;
        dynamicOffsetMask = nn.Linear(dq, dq);
        queryRelpos = nn.Embedding(Options.MaxImagesPerSequence, dq);
        samplingOffsets = nn.Linear(dq, m * p * 2);
        attentionWeights = nn.Linear(dq, m * lv * (p + 1));
        valueProj = nn.Linear(Options.DValue, Options.ValueDim);
        outputProj = nn.Linear(Options.ValueDim, Options.OutDim);
        ignoreToken = nn.Parameter(zeros(1, 1, 1, Options.ValueDim), requires_grad: Options.IgnoreTokenTrainable);
        RegisterComponents();
        ResetParameters();
    }

    /// <summary>The reference's <c>_reset_parameters</c>, plus the init the reference applies outside the module
    /// to <c>attention_weights</c>/<c>dynamic_offset_mask</c> weights when <see cref="MmfsOptions.ProjectionInitStd"/> is set.</summary>
    public void ResetParameters()
    {
        using var noGrad = no_grad();
        nn.init.zeros_(samplingOffsets.weight);
        // bias layout (heads, 1, points, 2): one offset set per (head, point), shared by every level
        samplingOffsets.bias!.uniform_(-Options.OffsetInitMagnitude, Options.OffsetInitMagnitude);
        nn.init.zeros_(attentionWeights.bias);
        nn.init.xavier_uniform_(valueProj.weight);
        nn.init.zeros_(valueProj.bias);
        nn.init.xavier_uniform_(outputProj.weight);
        nn.init.zeros_(outputProj.bias);
        nn.init.zeros_(dynamicOffsetMask.bias);
        // trunc_normal_(std 0.02) truncates at ±2 (100σ): a normal draw clamped there is the same distribution.
        // (TorchSharp 0.107's nn.init.trunc_normal_ left the tensor at zero when tried here.)
        queryRelpos.weight!.normal_(0, 0.02).clamp_(-2, 2);
        if (Options.ProjectionInitStd is double std)
        {
            nn.init.normal_(attentionWeights.weight, 0, std);
            nn.init.normal_(dynamicOffsetMask.weight, 0, std);
        }
    }

    /// <summary>
    /// query [N,Q,DQuery] (already normalised by the caller); referencePoints [N or 1,Q,1,2] as (x,y) in [0,1] or
    /// [N or 1,Q,1,4] as boxes (cx,cy,w,h); inputFlatten [N,I,S,DValue] (each image's levels flattened row-major and
    /// concatenated); spatialShapes [I·NumLevels,2] int64 rows (H,W); levelStartIndex [I·NumLevels];
    /// attentionMask [N,I] or [N,Q',I], 1 = may attend (with Q' ≠ Q, as in incremental decoding, its last row is used).
    /// Returns [N,Q,DOut].
    /// </summary>
    public Tensor forward(Tensor query, Tensor referencePoints, Tensor inputFlatten, Tensor spatialShapes, Tensor levelStartIndex, Tensor attentionMask) =>
        forward(query, referencePoints, inputFlatten, MultiScaleDeformableAttention.ReadShapes(spatialShapes), MultiScaleDeformableAttention.ReadStarts(levelStartIndex), attentionMask);

    /// <summary>The same forward pass with the geometry as host-side integers (what the decoder passes: reading shape
    /// tensors back from a GPU would force a synchronisation in every layer).</summary>
    public Tensor forward(Tensor query, Tensor referencePoints, Tensor inputFlatten, IReadOnlyList<(long H, long W)> spatialShapes, IReadOnlyList<long> levelStartIndex, Tensor attentionMask) =>
        Compute(query, referencePoints, inputFlatten, spatialShapes, levelStartIndex, attentionMask, straightforward: false, inspect: null).Output;

    /// <summary>
    /// The same forward pass, also returning where the chosen queries sample and with what weight
    /// (detached copies; the output is identical to <see cref="forward"/>).
    /// </summary>
    public MmfsSamples Inspect(Tensor query, Tensor referencePoints, Tensor inputFlatten, Tensor spatialShapes, Tensor levelStartIndex, Tensor attentionMask, long[] queryIndices) =>
        Inspect(query, referencePoints, inputFlatten, MultiScaleDeformableAttention.ReadShapes(spatialShapes), MultiScaleDeformableAttention.ReadStarts(levelStartIndex), attentionMask, queryIndices);

    /// <summary><see cref="Inspect(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, long[])"/> with host-side geometry.</summary>
    public MmfsSamples Inspect(Tensor query, Tensor referencePoints, Tensor inputFlatten, IReadOnlyList<(long H, long W)> spatialShapes, IReadOnlyList<long> levelStartIndex, Tensor attentionMask, long[] queryIndices) =>
        Compute(query, referencePoints, inputFlatten, spatialShapes, levelStartIndex, attentionMask, straightforward: false, inspect: queryIndices);

    /// <summary>
    /// A straightforward formulation that mirrors the reference line by line: the query repeated per image before
    /// every projection, and one sampling call per (image, level). Same result; kept as the benchmark baseline and
    /// as an independent cross-check in tests.
    /// </summary>
    public Tensor ForwardStraightforward(Tensor query, Tensor referencePoints, Tensor inputFlatten, Tensor spatialShapes, Tensor levelStartIndex, Tensor attentionMask) =>
        Compute(query, referencePoints, inputFlatten, MultiScaleDeformableAttention.ReadShapes(spatialShapes), MultiScaleDeformableAttention.ReadStarts(levelStartIndex),
            attentionMask, straightforward: true, inspect: null).Output;

    private MmfsSamples Compute(Tensor query, Tensor referencePoints, Tensor inputFlatten, IReadOnlyList<(long H, long W)> shapes, IReadOnlyList<long> starts,
        Tensor attentionMask, bool straightforward, long[]? inspect)
    {
        int m = Options.NumHeads, p = Options.NumPoints, lv = Options.NumLevels, dv = Options.ValueDim, d = dv / m;
        CheckShapes(query, referencePoints, inputFlatten, shapes.Count, starts.Count, attentionMask);
        long n = query.shape[0], q = query.shape[1], images = inputFlatten.shape[1], s = inputFlatten.shape[2];
        long slots = images * lv;

        // 1. Relative image index per (row, image): the most recent visible image is 1, the one before 2, ...; hidden 0.
        Tensor mask = attentionMask.to(int64);
        mask = mask.dim() == 2 ? mask.unsqueeze(1) : mask.shape[1] != q ? mask.narrow(1, mask.shape[1] - 1, 1) : mask; // [N,R,I]
        long rows = mask.shape[1];
        Tensor rel = (mask.sum(-1, keepdim: true) + 1 - mask.cumsum(-1)) * mask;
        // a token sees at most I images, so only then can a relative index reach the table's end (checked on the host
        // when it cannot: reading rel back would synchronise a GPU in every layer)
        long maxRel = images < Options.MaxImagesPerSequence ? 0 : rel.max().item<long>();
        if (maxRel >= Options.MaxImagesPerSequence)
            throw new ArgumentException($"attentionMask lets a token see {maxRel} images, but MaxImagesPerSequence is {Options.MaxImagesPerSequence} (relative indices must stay below it).");
        Tensor relT = rel.transpose(1, 2); // [N,I,R]

        // 2. Values: [N, I·S, M, d], image-major, then level, then row-major position.
        Tensor value = valueProj.forward(inputFlatten).reshape(n, images * s, m, d);

        // 3-5. Per-image offsets [N,I,Q,M·P·2] and logits [N,I,Q,M·Lv·(P+1)].
        Tensor offsets, logits;
        if (straightforward)
        {
            Tensor perImage = dynamicOffsetMask.forward(query.unsqueeze(1).expand(n, images, q, query.shape[2]))
                              + queryRelpos.forward(relT.expand(n, images, q));
            offsets = samplingOffsets.forward(perImage);
            logits = attentionWeights.forward(perImage);
        }
        else
        {
            Tensor z = dynamicOffsetMask.forward(query);                       // once per token
            Tensor table = queryRelpos.weight!;                                // [E, DQuery]
            Tensor Gather(Tensor perIndex) =>                                  // [E,C] -> [N,I,R,C]
                perIndex.index_select(0, relT.reshape(-1)).view(n, images, rows, -1);
            offsets = F.linear(z, samplingOffsets.weight!).unsqueeze(1) + Gather(samplingOffsets.forward(table));
            logits = F.linear(z, attentionWeights.weight!).unsqueeze(1) + Gather(attentionWeights.forward(table));
        }

        // 4. Offsets in base-grid cells, scaled per level by side/base: [N,Q,M,I·Lv,P,2].
        Tensor ratios = tensor(Options.Sides.Select(x => (double)x / Options.BaseSpatialShape).ToArray(), dtype: query.dtype, device: query.device);
        Tensor off = offsets.view(n, images, q, m, p, 2).permute(0, 2, 3, 1, 4, 5).unsqueeze(4)
                     * ratios.view(1, 1, 1, 1, lv, 1, 1);
        off = off.reshape(n, q, m, slots, p, 2);

        // 5-9. Masked joint softmax over images × levels × points, plus the null slot (logit 0 ≡ the reference's
        // I·Lv null entries at −ln(I·Lv)); masked images get −10000 as in the reference, which underflows to 0.
        Tensor hidden = (1 - mask.to(query.dtype)) * -10000.0;                // [N,R,I]
        Tensor real = logits.view(n, images, q, m, lv, p + 1).narrow(-1, 0, p)
                      + hidden.transpose(1, 2).view(n, images, rows, 1, 1, 1);
        real = real.permute(0, 2, 3, 1, 4, 5).reshape(n, q, m, slots * p);
        Tensor probabilities = F.softmax(cat([real, zeros(n, q, m, 1, dtype: real.dtype, device: real.device)], -1), -1);
        Tensor weights = probabilities.narrow(-1, 0, slots * p).view(n, q, m, slots, p);
        Tensor nullWeight = probabilities.narrow(-1, slots * p, 1);          // [N,Q,M,1]

        // 10. Sampling locations.
        Tensor reference = referencePoints.dim() == 3 ? referencePoints.unsqueeze(2) : referencePoints; // [B,Q,1,2|4]
        Tensor locations;
        if (reference.shape[^1] == 2)
        {
            Tensor normalizer = tensor(shapes.SelectMany(x => new double[] { x.W, x.H }).ToArray()).to(query.dtype).to(query.device); // (W,H) per slot
            locations = reference.unsqueeze(2).unsqueeze(4) + off / normalizer.view(1, 1, 1, slots, 1, 2);
        }
        else
        {
            Tensor r = reference.unsqueeze(2).unsqueeze(4);
            locations = r.narrow(-1, 0, 2) + off / p * r.narrow(-1, 2, 2) * 0.5;
        }

        // 11-12. Deformable core, the null slot's (ignore-token) contribution, output projection.
        Tensor sampled = straightforward
            ? MultiScaleDeformableAttention.ForwardPerLevel(value, shapes, starts, locations, weights)
            : MultiScaleDeformableAttention.Forward(value, shapes, starts, locations, weights);
        Tensor ignore = (nullWeight * ignoreToken.view(m, d)).reshape(n, q, dv);
        Tensor output = outputProj.forward(sampled + ignore);

        if (inspect is null) return new MmfsSamples(output, null, null, null);
        using var index = tensor(inspect, device: query.device);
        return new MmfsSamples(output,
            locations.index_select(1, index).view(n, inspect.Length, m, images, lv, p, 2).detach().clone(),
            weights.index_select(1, index).view(n, inspect.Length, m, images, lv, p).detach().clone(),
            nullWeight.index_select(1, index).squeeze(-1).detach().clone());
    }

    private void CheckShapes(Tensor query, Tensor referencePoints, Tensor inputFlatten, int shapeRows, int startCount, Tensor mask)
    {
        static string S(Tensor t) => "[" + string.Join(",", t.shape) + "]";
        if (query.dim() != 3 || query.shape[2] != Options.QueryDim)
            throw new ArgumentException($"MMFS query must be [N,Q,{Options.QueryDim}]; got {S(query)}.");
        long n = query.shape[0], q = query.shape[1];
        if (inputFlatten.dim() != 4 || inputFlatten.shape[0] != n || inputFlatten.shape[3] != Options.DValue)
            throw new ArgumentException($"MMFS inputFlatten must be [{n},I,S,{Options.DValue}]; got {S(inputFlatten)}.");
        long images = inputFlatten.shape[1];
        if (shapeRows != images * Options.NumLevels)
            throw new ArgumentException($"MMFS spatialShapes must be [{images * Options.NumLevels},2] (I·NumLevels rows of (H,W)); got {shapeRows} rows.");
        if (startCount != images * Options.NumLevels)
            throw new ArgumentException($"MMFS levelStartIndex must be [{images * Options.NumLevels}]; got [{startCount}].");
        bool maskOk = mask.dim() == 2 ? mask.shape[0] == n && mask.shape[1] == images
                    : mask.dim() == 3 && mask.shape[0] == n && mask.shape[2] == images;
        if (!maskOk)
            throw new ArgumentException($"MMFS attentionMask must be [{n},{images}] or [{n},Q',{images}]; got {S(mask)}.");
        long last = referencePoints.shape[^1];
        bool refOk = (referencePoints.dim() is 3 or 4) && (last is 2 or 4) && referencePoints.shape[1] == q
                     && (referencePoints.shape[0] == n || referencePoints.shape[0] == 1)
                     && (referencePoints.dim() == 3 || referencePoints.shape[2] == 1);
        if (!refOk)
            throw new ArgumentException($"MMFS referencePoints must be [N or 1,{q},1,2] (x,y) or [N or 1,{q},1,4] (boxes); got {S(referencePoints)}.");
    }
}
