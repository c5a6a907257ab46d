using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MMInterleaved.Evaluation.Inception;

/// <summary>
/// The InceptionV3 that pytorch-fid computes FID with (<c>fid_inception_v3</c>: torchvision's <c>Inception3</c>, 1008
/// classes, no auxiliary head, Mixed_5b–5d, 6b–6e, 7b, 7c patched to TensorFlow's pooling), with torchvision's parameter
/// names, so that pytorch-fid's released weights (<c>pt_inception-2015-12-05-6726825d.pth</c>, or the same state dict
/// converted to safetensors) load by name. <see cref="Features"/> is pytorch-fid's default output: the 2048-d final
/// average pool, from images resized to 299×299 (bilinear, <c>align_corners=False</c>) and scaled to [−1, 1]. Nothing
/// downloads the weights: <see cref="TryLoadDefault"/> finds a user's copy or returns null, and the workbench then
/// reports FID-glyph only.
/// </summary>
public sealed class FidInceptionV3 : nn.Module<Tensor, Tensor>
{
    /// <summary>pytorch-fid's file name for the weights.</summary>
    public const string WeightsFileName = "pt_inception-2015-12-05-6726825d";

    /// <summary>Environment variable naming the weights file (.pth or .safetensors).</summary>
    public const string WeightsVariable = "MMI_PT_INCEPTION";

    /// <summary>Feature width (pool3).</summary>
    public const int FeatureSize = 2048;

    /// <summary>The input side pytorch-fid resizes to.</summary>
    public const int InputSize = 299;

    [ComponentName(Name = "Conv2d_1a_3x3")] private readonly BasicConv2d conv2d1a;
    [ComponentName(Name = "Conv2d_2a_3x3")] private readonly BasicConv2d conv2d2a;
    [ComponentName(Name = "Conv2d_2b_3x3")] private readonly BasicConv2d conv2d2b;
    [ComponentName(Name = "Conv2d_3b_1x1")] private readonly BasicConv2d conv2d3b;
    [ComponentName(Name = "Conv2d_4a_3x3")] private readonly BasicConv2d conv2d4a;
    [ComponentName(Name = "Mixed_5b")] private readonly InceptionA mixed5b;
    [ComponentName(Name = "Mixed_5c")] private readonly InceptionA mixed5c;
    [ComponentName(Name = "Mixed_5d")] private readonly InceptionA mixed5d;
    [ComponentName(Name = "Mixed_6a")] private readonly InceptionB mixed6a;
    [ComponentName(Name = "Mixed_6b")] private readonly InceptionC mixed6b;
    [ComponentName(Name = "Mixed_6c")] private readonly InceptionC mixed6c;
    [ComponentName(Name = "Mixed_6d")] private readonly InceptionC mixed6d;
    [ComponentName(Name = "Mixed_6e")] private readonly InceptionC mixed6e;
    [ComponentName(Name = "Mixed_7a")] private readonly InceptionD mixed7a;
    [ComponentName(Name = "Mixed_7b")] private readonly InceptionE mixed7b;
    [ComponentName(Name = "Mixed_7c")] private readonly InceptionE mixed7c;
    [ComponentName(Name = "fc")] private readonly Linear fc;

    /// <summary>The network with PyTorch's default initialisation (load weights before computing an FID).</summary>
    public FidInceptionV3() : base("fid_inception_v3")
    {
        conv2d1a = new BasicConv2d(3, 32, 3, stride: 2);
        conv2d2a = new BasicConv2d(32, 32, 3);
        conv2d2b = new BasicConv2d(32, 64, 3, padding: 1);
        conv2d3b = new BasicConv2d(64, 80, 1);
        conv2d4a = new BasicConv2d(80, 192, 3);
        mixed5b = new InceptionA(192, 32);
        mixed5c = new InceptionA(256, 64);
        mixed5d = new InceptionA(288, 64);
        mixed6a = new InceptionB(288);
        mixed6b = new InceptionC(768, 128);
        mixed6c = new InceptionC(768, 160);
        mixed6d = new InceptionC(768, 160);
        mixed6e = new InceptionC(768, 192);
        mixed7a = new InceptionD(768);
        mixed7b = new InceptionE(1280, maxPool: false);
        mixed7c = new InceptionE(2048, maxPool: true);
        fc = nn.Linear(FeatureSize, 1008);
        RegisterComponents();
        eval();
    }

    /// <summary>pool3 features [B, 2048] of network inputs [B, 3, H, W] already resized and scaled to [−1, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = conv2d2b.forward(conv2d2a.forward(conv2d1a.forward(x)));
        x = F.max_pool2d(x, 3, stride: 2);
        x = conv2d4a.forward(conv2d3b.forward(x));
        x = F.max_pool2d(x, 3, stride: 2);
        x = mixed5d.forward(mixed5c.forward(mixed5b.forward(x)));
        x = mixed6e.forward(mixed6d.forward(mixed6c.forward(mixed6b.forward(mixed6a.forward(x)))));
        x = mixed7c.forward(mixed7b.forward(mixed7a.forward(x)));
        return F.adaptive_avg_pool2d(x, [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// pytorch-fid's activations: images [N, 3, H, W] in [0, 1] (any size) → [N, 2048] float64, computed in batches of
    /// <paramref name="batchSize"/> without gradients, in evaluation mode (batch norm from its running statistics).
    /// </summary>
    public Tensor Features(Tensor images, int batchSize = 16)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"FidInceptionV3: the images have shape [{string.Join(", ", images.shape)}]; expected [N, 3, H, W] in [0, 1].", nameof(images));
        using var noGrad = no_grad();
        eval();
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).detach().cpu().to(float32);
                var resized = F.interpolate(batch, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
                parts.Add(forward(2 * resized - 1).to(float64).MoveToOuterDisposeScope());
            }
            return parts.Count == 0 ? zeros(0, FeatureSize, dtype: float64) : cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>FID between two image sets [N, 3, H, W] in [0, 1]: <see cref="FrechetDistance.Compute"/> of their
    /// <see cref="Features"/>, as pytorch-fid's <c>calculate_fid_given_paths</c> computes it.</summary>
    public double Distance(Tensor generated, Tensor real)
    {
        using var a = Features(generated);
        using var b = Features(real);
        return FrechetDistance.Compute(a, b);
    }

    /// <summary>
    /// Loads pytorch-fid's state dict by name from a <c>.pth</c> (torch.save pickle) or <c>.safetensors</c> file: every
    /// parameter and running statistic must be present with its shape (batch norm's <c>num_batches_tracked</c> may be
    /// absent, as in the released file); a missing, unexpected or mis-shaped key is an error naming the file and key.
    /// </summary>
    public static FidInceptionV3 Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"InceptionV3 weights not found: {path} (pytorch-fid's {WeightsFileName}.pth, or that state dict as safetensors)", path);
        var model = new FidInceptionV3();
        var loaded = ReadStateDict(path);
        try
        {
            var own = model.state_dict();
            var missing = own.Keys.Where(k => !loaded.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
            var unexpected = loaded.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"{path}: not pytorch-fid's InceptionV3 state dict: missing [{string.Join(", ", missing.Take(6))}{(missing.Count > 6 ? ", …" : "")}], " +
                    $"unexpected [{string.Join(", ", unexpected.Take(6))}{(unexpected.Count > 6 ? ", …" : "")}].");
            using var noGrad = no_grad();
            foreach (var (key, source) in loaded)
            {
                var target = own[key];
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{path}: '{key}' has shape [{string.Join(",", source.shape)}], InceptionV3 expects [{string.Join(",", target.shape)}].");
                target.copy_(source.to(target.dtype));
            }
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    /// <summary>The weights file to use, if the user has one: <see cref="WeightsVariable"/>, else
    /// <c>artifacts/weights/pt_inception-2015-12-05-6726825d.{pth,safetensors}</c>; null when none exists.</summary>
    public static string? FindWeights()
    {
        string? named = Environment.GetEnvironmentVariable(WeightsVariable);
        if (!string.IsNullOrWhiteSpace(named))
            return File.Exists(named) ? named : throw new FileNotFoundException($"{WeightsVariable} names {named}, which does not exist.", named);
        foreach (string ext in new[] { ".safetensors", ".pth" })
        {
            string path = Path.Combine("artifacts", "weights", WeightsFileName + ext);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>The network with the user's weights (<see cref="FindWeights"/>), or null when there are none.</summary>
    public static FidInceptionV3? TryLoadDefault() => FindWeights() is string path ? Load(path) : null;

    private static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return Safetensors.LoadStateDict(path);
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>();
            foreach (System.Collections.DictionaryEntry entry in table) result[(string)entry.Key] = (Tensor)entry.Value!;
            return result;
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable PyTorch (.pth) or safetensors state dict ({new FileInfo(path).Length} bytes): {e.GetType().Name}: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
    }
}
