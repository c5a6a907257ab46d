using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// Parameter counts per part of a model config, total and trainable (after the config's freezing). The model is built on
/// libtorch's <c>meta</c> device, which records shapes and allocates nothing, so the paper preset (≈14 B parameters in the
/// comprehension half) can be counted on a laptop; the counts come from the same code that builds the real model.
/// </summary>
public static class ParameterReport
{
    /// <summary>One row of the report.</summary>
    public sealed record Part(string Name, long Total, long Trainable);

    /// <summary>Counts per part: the ViT, the adapter, the resampler, the rest of the tokenizer, the language model, its
    /// cross-attention (MMFS) layers, the text head and <c>soi_token</c>; then one MMFS layer and the whole model.</summary>
    public static IReadOnlyList<Part> Count(ModelConfig config) => OnMeta(() =>
    {
            var model = new MMInterleavedModel(config);
            var parameters = model.named_parameters().Select(p => (p.name, Count: p.parameter.numel(), p.parameter.requires_grad)).ToList();
            Part Sum(string name, Func<string, bool> select)
            {
                var chosen = parameters.Where(p => select(p.name)).ToList();
                return new Part(name, chosen.Sum(p => p.Count), chosen.Where(p => p.requires_grad).Sum(p => p.Count));
            }
            bool Encoder(string n) => n.StartsWith("visual_tokenizer.encoder.", StringComparison.Ordinal);
            bool Adapter(string n) => Encoder(n) && n.Contains(".adapter_", StringComparison.Ordinal);
            bool Cross(string n) => n.StartsWith("mm_decoder.", StringComparison.Ordinal) && n.Contains(".llama_cross_attn.", StringComparison.Ordinal);
            var parts = new List<Part>
            {
                Sum("vision encoder (ViT)", n => Encoder(n) && !Adapter(n)),
                Sum("ViT-Adapter", Adapter),
                Sum("resampler", n => n.StartsWith("visual_tokenizer.perceiver_resampler.", StringComparison.Ordinal) || n == "visual_tokenizer.learned_queries"),
                Sum("tokenizer projections and norms", n => n.StartsWith("visual_tokenizer.", StringComparison.Ordinal) && !Encoder(n)
                    && !n.StartsWith("visual_tokenizer.perceiver_resampler.", StringComparison.Ordinal) && n != "visual_tokenizer.learned_queries"),
                Sum("language model", n => n.StartsWith("mm_decoder.", StringComparison.Ordinal) && !Cross(n)),
                Sum("MMFS layers (decoder)", Cross),
                Sum("text head", n => n.StartsWith("text_decoder.", StringComparison.Ordinal)),
                Sum("soi_token", n => n == "soi_token"),
            };
            int layers = Enumerable.Range(0, config.Decoder.NumLayers).Count(config.CrossAttention.HasLayer);
            var first = parameters.Where(p => p.name.StartsWith("mm_decoder.layers.0.llama_cross_attn.", StringComparison.Ordinal)).ToList();
            if (layers > 0) parts.Add(new Part("one MMFS layer", first.Sum(p => p.Count), first.Where(p => p.requires_grad).Sum(p => p.Count)));
            parts.Add(new Part("total", parameters.Sum(p => p.Count), parameters.Where(p => p.requires_grad).Sum(p => p.Count)));
            return (IReadOnlyList<Part>)parts;
    });

    /// <summary>Counts per part of the image decoder of <paramref name="config"/> reading a language model of width
    /// <paramref name="contextWidth"/>: its context resampler and negative embedding, the UNet, MMFSNet, the VAE, the
    /// top-level <c>context_feat_proj</c> (Linear width → width), and their total.</summary>
    public static IReadOnlyList<Part> Count(Diffusion.ImageDecoderConfig config, int contextWidth) => OnMeta(() =>
    {
        using var decoder = new Diffusion.ImageDecoder(config);
        var parameters = decoder.named_parameters().Select(p => (p.name, Count: p.parameter.numel(), p.parameter.requires_grad)).ToList();
        Part Sum(string name, string prefix)
        {
            var chosen = parameters.Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return new Part(name, chosen.Sum(p => p.Count), chosen.Where(p => p.requires_grad).Sum(p => p.Count));
        }
        long projection = (long)contextWidth * contextWidth + contextWidth;
        var parts = new List<Part>
        {
            Sum("context resampler (Q-Former)", "perceiver_resampler."),
            Sum("negative embedding", "neg_prompt_embeds"),
            Sum("UNet", "decoder.unet."),
            Sum("MMFSNet (UNet)", "decoder.mmfs_module."),
            Sum("VAE (frozen)", "decoder.vae."),
            new("context_feat_proj", projection, projection),
        };
        parts.Add(new Part("total", parts.Sum(p => p.Total), parts.Sum(p => p.Trainable)));
        return (IReadOnlyList<Part>)parts;
    });

    // Builds on libtorch's meta device: shapes only, nothing allocated.
    private static T OnMeta<T>(Func<T> count)
    {
        var previous = get_default_device();
        set_default_device(new Device(DeviceType.META));
        try
        {
            return count();
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
