using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation;

/// <summary>
/// The small segmenter that scores segmentation-to-image, as the paper scores ADE20K generations with a trained
/// segmenter (OneFormer): a three-scale convolutional encoder–decoder (full, ½, ¼ resolution, skips, a receptive field
/// of about 30 px, enough to tell a glyph's kind) trained on real renders to predict each pixel's class of
/// <see cref="SegmentationMap"/>. Its mIoU on real scenes is the ceiling a generated image can reach. Not part of the
/// model; trained once per scene look and cached (<see cref="ForSampler"/>).
/// </summary>
public sealed class GlyphSegmenter : nn.Module<Tensor, Tensor>
{
    [TorchSharp.Utils.ComponentName(Name = "full")] private readonly Sequential full;
    [TorchSharp.Utils.ComponentName(Name = "half")] private readonly Sequential half;
    [TorchSharp.Utils.ComponentName(Name = "quarter")] private readonly Sequential quarter;
    [TorchSharp.Utils.ComponentName(Name = "up_half")] private readonly Sequential upHalf;
    [TorchSharp.Utils.ComponentName(Name = "up_full")] private readonly Sequential upFull;
    [TorchSharp.Utils.ComponentName(Name = "classifier")] private readonly Conv2d classifier;

    /// <summary>A segmenter for <paramref name="classCount"/> classes (background included), <paramref name="width"/>
    /// channels at full resolution (2× at ½, 4× at ¼); PyTorch's default initialisation.</summary>
    public GlyphSegmenter(int classCount, int width = 16) : base("glyph_segmenter")
    {
        if (classCount < 2) throw new ArgumentException($"GlyphSegmenter: classCount is {classCount}; a segmenter needs at least 2 classes.", nameof(classCount));
        ClassCount = classCount;
        Width = width;
        Sequential Block(long input, long output, long stride, long dilation = 1) => nn.Sequential(
            nn.Conv2d(input, output, 3, stride: stride, padding: 1), nn.ReLU(),
            nn.Conv2d(output, output, 3, padding: dilation, dilation: dilation), nn.ReLU());
        full = Block(3, width, 1);
        half = Block(width, 2 * width, 2);
        quarter = Block(2 * width, 4 * width, 2, dilation: 2);
        upHalf = nn.Sequential(nn.Conv2d(6 * width, 2 * width, 3, padding: 1), nn.ReLU());
        upFull = nn.Sequential(nn.Conv2d(3 * width, width, 3, padding: 1), nn.ReLU());
        classifier = nn.Conv2d(width, classCount, 1);
        RegisterComponents();
    }

    /// <summary>Classes predicted (background is 0).</summary>
    public int ClassCount { get; }

    /// <summary>Channels at full resolution.</summary>
    public int Width { get; }

    /// <summary>The kind names of classes 1, 2, … (as scene text names them: "7", "e", "circle"), when known (set by
    /// <see cref="Train"/> and <see cref="ForSampler"/>); null for a bare network.</summary>
    public IReadOnlyList<string>? KindNames { get; init; }

    /// <summary>Class logits [B, ClassCount, H, W] of images [B, 3, H, W] in [0, 1] (any size).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var f1 = full.forward((images - 0.5) / 0.25);
        var f2 = half.forward(f1);
        var f3 = quarter.forward(f2);
        var u2 = upHalf.forward(cat([F.interpolate(f3, [f2.shape[2], f2.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false), f2], 1));
        var u1 = upFull.forward(cat([F.interpolate(u2, [f1.shape[2], f1.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false), f1], 1));
        return classifier.forward(u1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Image features for FID-glyph [B, 4·Width]: the ¼-resolution encoder map, average-pooled over positions, as
    /// pytorch-fid pools InceptionV3's last block. A network trained on glyph scenes, so the distance it gives is
    /// "FID-glyph", comparable between models scored on the same number of images, never the Inception FID.
    /// </summary>
    public Tensor Features(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3) throw new ArgumentException($"GlyphSegmenter: the images have shape [{string.Join(", ", images.shape)}]; expected [B, 3, H, W].", nameof(images));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = images.detach().cpu().to(float32);
        var map = quarter.forward(half.forward(full.forward((x - 0.5) / 0.25)));
        return map.mean([2L, 3L]).to(float64).MoveToOuterDisposeScope();
    }

    /// <summary>FID-glyph between two image sets [N, 3, H, W] in [0, 1]: <see cref="FrechetDistance.Compute"/> of their
    /// <see cref="Features"/>. Biased upwards at small N, so comparable only between sets of equal size.</summary>
    public double Distance(Tensor a, Tensor b)
    {
        using var fa = Features(a);
        using var fb = Features(b);
        return FrechetDistance.Compute(fa, fb);
    }

    /// <summary>The class of each pixel (row-major) of an image [3, H, W] in [0, 1].</summary>
    public int[] Segment(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3) throw new ArgumentException($"GlyphSegmenter: the image has shape [{string.Join(", ", image.shape)}]; expected [3, H, W].", nameof(image));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool training = this.training;
        eval();
        try
        {
            var classes = forward(image.detach().cpu().to(float32).unsqueeze(0)).argmax(1).flatten();
            return classes.to(int32).data<int>().ToArray();
        }
        finally
        {
            if (training) train();
        }
    }

    /// <summary>Trains a segmenter on real renders of <paramref name="sampler"/>'s scenes (classes: background, then
    /// the sampler's kinds in order); deterministic for given options.</summary>
    public static GlyphSegmenter Train(IGridSceneSampler sampler, SegmenterTrainingOptions? options = null)
    {
        options = (options ?? new SegmenterTrainingOptions()).Validated();
        var kinds = sampler.Kinds;
        manual_seed(options.Seed);
        var network = new GlyphSegmenter(kinds.Count + 1, options.Width) { KindNames = kinds.Select(k => k.Name).ToArray() };
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        long scene = 0;
        for (int step = 0; step < options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var images = new Tensor[options.BatchSize];
            var labels = new Tensor[options.BatchSize];
            for (int b = 0; b < options.BatchSize; b++, scene++)
            {
                var s = sampler.Sample(SeededRandom.For((ulong)options.Seed, 0x5E6, (ulong)scene));
                images[b] = s.Render();
                labels[b] = tensor(SegmentationMap.ClassMask(s, kinds).Select(c => (long)c).ToArray(), [s.ImageSize, s.ImageSize]);
            }
            // cosine decay to a tenth: the last steps settle the edges
            double lr = options.LearningRate * (0.1 + 0.45 * (1 + Math.Cos(Math.PI * step / options.Steps)));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            optimizer.zero_grad();
            var loss = F.cross_entropy(network.forward(stack(images)), stack(labels));
            loss.backward();
            optimizer.step();
        }
        network.eval();
        return network;
    }

    /// <summary>Where <see cref="ForTask"/> caches segmenters by default: artifacts/segmenters under the working folder.</summary>
    public static string DefaultCacheFolder => Path.Combine("artifacts", "segmenters");

    /// <summary>The segmenter that scores <paramref name="task"/> (<see cref="ForSampler"/> over its scenes, default
    /// training options) when it generates procedural glyph scenes (seg-to-image: mIoU; text-to-image and story: the
    /// glyph kind of each cell); null for any other source.</summary>
    public static GlyphSegmenter? ForTask(IDocumentSource task, string? cacheFolder = null) =>
        task is Data.Tasks.GridSegToImageTask or Data.Tasks.GridTextToImageTask or Data.Tasks.GlyphStoryTask && task is Data.Tasks.GridTask { Sampler: GlyphSceneSampler glyphs }
            ? ForSampler(glyphs, cacheFolder ?? DefaultCacheFolder) : null;

    /// <summary>The cached segmenter for <paramref name="sampler"/>'s scene look and <paramref name="options"/> in
    /// <paramref name="cacheFolder"/> (file named by a hash of both), trained and saved there first when absent.</summary>
    public static GlyphSegmenter ForSampler(GlyphSceneSampler sampler, string cacheFolder, SegmenterTrainingOptions? options = null)
    {
        options = (options ?? new SegmenterTrainingOptions()).Validated();
        string key = JsonSerializer.Serialize(new { scene = sampler.Options, training = options });
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12].ToLowerInvariant();
        string path = Path.Combine(cacheFolder, $"segmenter-{hash}.safetensors");
        if (File.Exists(path))
        {
            var loaded = new GlyphSegmenter(sampler.Kinds.Count + 1, options.Width) { KindNames = sampler.Kinds.Select(k => k.Name).ToArray() };
            Runtime.StateDictFile.Load(loaded, path, nameof(GlyphSegmenter));
            loaded.eval();
            return loaded;
        }
        var trained = Train(sampler, options);
        Directory.CreateDirectory(cacheFolder);
        Runtime.AtomicFile.Write(path, temporary => Safetensors.SaveStateDict(temporary, trained.state_dict()));
        Runtime.AtomicFile.WriteAllText(Path.ChangeExtension(path, ".json"), key);
        return trained;
    }
}
