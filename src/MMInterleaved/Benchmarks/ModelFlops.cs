using MMInterleaved.Language;
using MMInterleaved.Model;

namespace MMInterleaved.Benchmarks;

/// <summary>
/// Analytic multiply-adds of one forward pass of the comprehension model on a batch, per layer type (Figure 6 right of
/// the paper compares MMFS's extra FLOPs). Counted: matrix products and attention (scores and weighted sums over the full
/// L×L, as scaled-dot-product attention computes them before masking), the resampler's self- and cross-attention,
/// MMFS (<see cref="MmfsBenchmark.ForwardMacs"/>'s terms), dense cross-attention, the text head. Not counted: norms,
/// activations, softmaxes, embeddings lookups, and the vision encoder, which is identical and frozen in every arm of the
/// ablations (its convolutions and adapter are listed as excluded, not estimated).
/// </summary>
public static class ModelFlops
{
    /// <summary>Multiply-adds per part for <paramref name="rows"/> sequences of <paramref name="length"/> tokens holding
    /// <paramref name="images"/> images in all, at most <paramref name="imagesPerRow"/> in one row.</summary>
    public static IReadOnlyDictionary<string, double> ForwardMacs(ModelConfig config, int rows, int length, int images, int imagesPerRow)
    {
        var d = config.Decoder;
        double tokens = (double)rows * length;
        double h = d.HiddenSize, heads = d.NumHeads, headDim = d.HeadDim;
        var parts = new Dictionary<string, double>();

        // resampler (BLIP-2 Q-Former), patch tokens or learned queries, then the projection to the decoder width
        double k = config.NumImageTokens;
        if (config.UseResampler)
        {
            var r = config.Resampler;
            double w = r.HiddenSize, we = r.EncoderHiddenSize, t = (double)config.GridSide * config.GridSide + 1, ff = r.IntermediateSize;
            double perImage = t * we * we;                                              // pos_proj on the encoder tokens
            for (int layer = 0; layer < r.NumLayers; layer++)
            {
                perImage += k * 4 * w * w + 2 * k * k * w;                              // self-attention
                if (layer % r.CrossAttentionFrequency == 0)
                    perImage += k * 2 * w * w + 2 * t * we * w + 2 * k * t * w;          // cross-attention: q, o; k, v; scores, sum
                perImage += 2 * k * w * ff;                                             // feed-forward
            }
            parts["resampler"] = images * perImage;
            parts["visual projection"] = images * k * w * h;
        }
        else if (config.UsePatchTokens)
        {
            double we = config.Vision.HiddenSize, t = (double)config.GridSide * config.GridSide + 1;
            parts["patch-token input"] = images * t * we * we;                          // pos_proj on the encoder tokens
            parts["visual projection"] = images * k * we * h;
        }
        else
        {
            parts["visual projection"] = images * k * config.Resampler.HiddenSize * h;
        }

        // decoder: projections, attention over the full window, SwiGLU
        parts["decoder self-attention"] = d.NumLayers * (tokens * (2 * h * heads * headDim + 2 * h * heads * headDim) + rows * 2.0 * length * length * heads * headDim);
        parts["decoder MLP"] = d.NumLayers * tokens * 3 * h * d.IntermediateSize;

        var cross = config.CrossAttention;
        int crossLayers = cross.Enabled ? Enumerable.Range(0, d.NumLayers).Count(cross.HasLayer) : 0;
        if (crossLayers > 0)
        {
            bool onTokens = cross.Kind == CrossAttentionKind.DenseResamplerTokens;
            double width = onTokens ? h : config.Vision.HiddenSize;
            double positions = onTokens ? k : cross.FeatureLevels.Sum(l => (double)config.MultiScaleSides[l] * config.MultiScaleSides[l]);
            double slots = cross.MultiImage ? imagesPerRow : 1;
            double perLayer;
            if (cross.Kind == CrossAttentionKind.Deformable)
            {
                double m = cross.NumHeads, p = cross.NumPoints, lv = cross.FeatureLevels.Length, e = cross.MaxImagesPerSequence;
                perLayer = images * positions * width * width                       // value_proj on every image position
                           + tokens * h * h                                         // dynamic_offset_mask, once per token
                           + (tokens + e) * h * m * p * 2 + (tokens + e) * h * m * lv * (p + 1)   // offsets, logits
                           + tokens * m * slots * lv * p * (width / m) * 5          // bilinear taps + weight
                           + tokens * width * h;                                     // output_proj
            }
            else
            {
                perLayer = tokens * h * width                                        // query projection
                           + images * positions * 2 * width * width                  // keys and values of every image
                           + tokens * slots * positions * 2 * width                  // scores and weighted sum
                           + tokens * width * h;                                     // output projection
            }
            parts[cross.Kind == CrossAttentionKind.Deformable ? "MMFS" : "dense cross-attention"] = crossLayers * perLayer;
        }
        parts["text head"] = tokens * h * d.VocabSize;
        return parts;
    }
}
