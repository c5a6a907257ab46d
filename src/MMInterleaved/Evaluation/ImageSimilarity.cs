using MMInterleaved.Model;
using MMInterleaved.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Image–image similarity, the paper's CLIP similarity for storytelling (the cosine between the embeddings of a generated
/// frame and its ground truth), with the workbench's frozen vision encoder in CLIP's place: an image's feature is the
/// encoder's last hidden state averaged over its tokens, at unit length (the same features that pick RICES shots). On the
/// built-in data the encoder is the small preset's pre-trained one (<see cref="ForImageSize"/>), so the number is
/// comparable between models scored with the same encoder, never with the paper's CLIP-ViT-L/14 scores.
/// </summary>
public sealed class ImageSimilarity : IDisposable
{
    private readonly ClipVisionAdapterModel encoder;
    private readonly bool owned;

    /// <summary>Features from <paramref name="encoder"/> (not disposed with this object).</summary>
    public ImageSimilarity(ClipVisionAdapterModel encoder) : this(encoder, owned: false) { }

    private ImageSimilarity(ClipVisionAdapterModel encoder, bool owned)
    {
        this.encoder = encoder;
        this.owned = owned;
    }

    /// <summary>The committed pre-trained encoder of the small preset at <paramref name="imageSize"/> px
    /// (<see cref="ModelPresets.SmallEncoderPathAt"/>: 64 and 32 are committed).</summary>
    public static ImageSimilarity ForImageSize(int imageSize)
    {
        string path = ModelPresets.SmallEncoderPathAt(imageSize);
        string file = Runtime.RepositoryFiles.Find(path) ?? throw new FileNotFoundException(
            $"no pre-trained small encoder for {imageSize}-px images: {path} (committed: 64 and 32 px; make one with `mmi pretrain-encoder --preset small --image-size {imageSize}`).", path);
        var config = (ModelPresets.Small with { Vision = ModelPresets.Small.Vision with { ImageSize = imageSize } }).Validated();
        var model = new ClipVisionAdapterModel(config.Vision, config.Adapter);
        model.LoadFromSafetensors(file);
        model.eval();
        return new ImageSimilarity(model, owned: true);
    }

    /// <summary><see cref="ForImageSize"/> where the committed encoder for <paramref name="imageSize"/> exists, else null.</summary>
    public static ImageSimilarity? TryForImageSize(int imageSize) =>
        Runtime.RepositoryFiles.Find(ModelPresets.SmallEncoderPathAt(imageSize)) is null ? null : ForImageSize(imageSize);

    /// <summary>The image size the encoder reads.</summary>
    public int ImageSize => encoder.Config.ImageSize;

    /// <summary>Unit-length features [N, W] of images [N, 3, S, S] in [0, 1] (S the encoder's size), in chunks of 64,
    /// without gradients.</summary>
    public Tensor Features(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            throw new ArgumentException($"ImageSimilarity: the images have shape [{string.Join(", ", images.shape)}]; the encoder reads [N, 3, {ImageSize}, {ImageSize}].", nameof(images));
        return Features(encoder, images);
    }

    /// <summary>The features of <see cref="Features(Tensor)"/> from any encoder (the pipeline's, for RICES).</summary>
    public static Tensor Features(ClipVisionAdapterModel encoder, Tensor images)
    {
        using var noGrad = no_grad();
        bool training = encoder.training;
        encoder.eval();
        var device = encoder.parameters().First().device;
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += 64)
            {
                using var scope = NewDisposeScope();
                var chunk = images.narrow(0, start, Math.Min(64, images.shape[0] - start)).to(float32).to(device);
                var hidden = encoder.forward(VisualTokenizer.Normalize(chunk)).LastHiddenState;
                parts.Add(nn.functional.normalize(hidden.mean([1]), dim: 1).cpu().MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
            if (training) encoder.train();
        }
    }

    /// <summary>The cosine of each generated image with its reference (row i with row i), images [N, 3, S, S].</summary>
    public double[] Cosines(Tensor generated, Tensor references)
    {
        if (!generated.shape.SequenceEqual(references.shape))
            throw new ArgumentException($"ImageSimilarity: generated [{string.Join(", ", generated.shape)}] and references [{string.Join(", ", references.shape)}] must pair one to one.");
        using var a = Features(generated);
        using var b = Features(references);
        using var cosine = (a * b).sum(1).to(float64);
        return cosine.data<double>().ToArray();
    }

    /// <summary>
    /// The cosine of each generated image with its reference after both features have the references' mean feature
    /// subtracted (<paramref name="centre"/>: another set's mean, e.g. when scoring a baseline against the same real
    /// frames). Features of glyph scenes share a large common direction, so the plain cosine sits near 1 for any scene-like
    /// image (a near-empty dark frame scored 0.997); centred, it measures agreement in what distinguishes one scene from
    /// another: 1 for the reference itself, about 0 for an unrelated scene. Needs at least two references.
    /// </summary>
    public double[] CentredCosines(Tensor generated, Tensor references, Tensor? centre = null)
    {
        if (!generated.shape.SequenceEqual(references.shape))
            throw new ArgumentException($"ImageSimilarity: generated [{string.Join(", ", generated.shape)}] and references [{string.Join(", ", references.shape)}] must pair one to one.");
        if (centre is null && references.shape[0] < 2)
            throw new ArgumentException("ImageSimilarity: a centred cosine needs at least two references (their mean feature is the centre).");
        using var scope = NewDisposeScope();
        var a = Features(generated);
        var b = Features(references);
        var mean = centre ?? b.mean([0L], keepdim: true);
        var cosine = nn.functional.cosine_similarity(a - mean, b - mean, dim: 1, eps: 1e-12).to(float64);
        return cosine.data<double>().ToArray();
    }

    /// <summary>The references' mean feature [1, W], the centre of <see cref="CentredCosines"/>.</summary>
    public Tensor Centre(Tensor references)
    {
        using var features = Features(references);
        return features.mean([0L], keepdim: true);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (owned) encoder.Dispose();
    }
}
