using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MMInterleaved.Vision;

/// <summary>
/// HF <c>Blip2QFormerLayer</c> on the query branch only (the reference never feeds text): post-LN self-attention,
/// then, in layers with <see cref="ResamplerConfig.HasCrossAttention"/>, post-LN cross-attention to the encoder
/// states, then the query FFN (<c>intermediate_query</c>, <c>output_query</c>).
/// </summary>
public sealed class Blip2QFormerLayer : nn.Module
{
    [ComponentName(Name = "attention")] private readonly Blip2QFormerAttention attention;
    // Null in layers without cross-attention, which then have no crossattention.* keys (as in HF).
    [ComponentName(Name = "crossattention")] private readonly Blip2QFormerAttention? crossAttention;
    [ComponentName(Name = "intermediate_query")] private readonly Blip2QFormerIntermediate intermediateQuery;
    [ComponentName(Name = "output_query")] private readonly Blip2QFormerOutput outputQuery;

    /// <summary>Whether this layer cross-attends to the encoder states.</summary>
    public bool HasCrossAttention => crossAttention is not null;

    /// <summary>Builds layer <paramref name="layerIndex"/>; it gets cross-attention when index % frequency == 0.</summary>
    public Blip2QFormerLayer(ResamplerConfig config, int layerIndex, string name = "layer") : base(name)
    {
        config = config.Validated();
        attention = new Blip2QFormerAttention(config, isCrossAttention: false);
        if (config.HasCrossAttention(layerIndex))
            crossAttention = new Blip2QFormerAttention(config, isCrossAttention: true);
        intermediateQuery = new Blip2QFormerIntermediate(config);
        outputQuery = new Blip2QFormerOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>
    /// hidden [B or 1, Q, H]; encoderHidden [B, K, E]; encoderAdditiveMask broadcastable to [B, heads, Q, K] or null.
    /// Returns [B, Q, H] after a cross-attention layer, otherwise hidden's batch.
    /// </summary>
    public Tensor forward(Tensor hidden, Tensor encoderHidden, Tensor? encoderAdditiveMask = null)
    {
        Tensor x = attention.forward(hidden); // queries attend to each other unmasked (HF's all-ones query mask)
        if (crossAttention is not null) x = crossAttention.forward(x, encoderHidden, encoderAdditiveMask);
        return outputQuery.forward(intermediateQuery.forward(x), x);
    }
}
