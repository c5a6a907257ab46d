using System.Collections.Concurrent;
using MMInterleaved.Runtime;
using static TorchSharp.torch;

namespace MMInterleaved.Data.Real;

/// <summary>
/// Fashion-MNIST from its four IDX gzip files (found by <see cref="OptionalData.FindFashionMnist"/>): grayscale item
/// images (28×28 in the real set; any size is read) with labels 0–9.
/// </summary>
public sealed class FashionMnist
{
    private static readonly ConcurrentDictionary<(string, bool), FashionMnist> Cache = new();

    private FashionMnist(byte[] pixels, byte[] labels, int rows, int columns) => (Pixels, Labels, Rows, Columns) = (pixels, labels, rows, columns);

    /// <summary>Class names, one word each as VQA answers want: "boot" stands for "ankle boot" and "t-shirt" for
    /// "t-shirt/top".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"];

    /// <summary>All pixels, item after item, row-major (0 = background).</summary>
    public byte[] Pixels { get; }

    /// <summary>Label per item (0–9, <see cref="ClassNames"/>).</summary>
    public byte[] Labels { get; }

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Columns { get; }

    /// <summary>Number of items.</summary>
    public int Count => Labels.Length;

    /// <summary>Item <paramref name="index"/>'s pixels.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Rows * Columns, Rows * Columns);

    /// <summary>Item <paramref name="index"/> as a float32 [1,Rows,Columns] tensor in [0,1].</summary>
    public Tensor ImageTensor(int index) => tensor(Image(index).ToArray().Select(b => b / 255f).ToArray(), [1, Rows, Columns]);

    /// <summary>The folder holding the four files, or a FileNotFoundException whose message is
    /// <see cref="OptionalData.FashionMnistHint"/>.</summary>
    public static string FindFolder(string? repositoryRoot = null) =>
        OptionalData.FindFashionMnist(repositoryRoot) ?? throw new FileNotFoundException(OptionalData.FashionMnistHint);

    /// <summary>The training (60k) or test (10k) set from <paramref name="folder"/>; malformed files throw
    /// <see cref="DataFormatException"/>, missing ones FileNotFoundException with <see cref="OptionalData.FashionMnistHint"/>.</summary>
    public static FashionMnist Load(string folder, bool train)
    {
        string prefix = train ? "train" : "t10k";
        string imagesPath = Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), labelsPath = Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (string p in new[] { imagesPath, labelsPath })
            if (!File.Exists(p)) throw new FileNotFoundException($"{p} is missing. {OptionalData.FashionMnistHint}", p);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Shape.Length != 3) throw new DataFormatException(imagesPath, null, $"images must have 3 dimensions (count, rows, columns), not [{string.Join(",", images.Shape)}].");
        if (labels.Shape.Length != 1) throw new DataFormatException(labelsPath, null, $"labels must have 1 dimension, not [{string.Join(",", labels.Shape)}].");
        if (labels.Length != images.Length) throw new DataFormatException(labelsPath, null, $"{labels.Length} labels for {images.Length} images in {imagesPath}.");
        int bad = Array.FindIndex(labels.Data, l => l >= ClassNames.Count);
        if (bad >= 0) throw new DataFormatException(labelsPath, null, $"label {labels.Data[bad]} of item {bad} is not a class (0–{ClassNames.Count - 1}).");
        return new FashionMnist(images.Data, labels.Data, images.Shape[1], images.Shape[2]);
    }

    /// <summary><see cref="Load"/> from <see cref="FindFolder"/>, cached per folder and set for the process.</summary>
    public static FashionMnist LoadDefault(bool train)
    {
        string folder = Path.GetFullPath(FindFolder());
        return Cache.GetOrAdd((folder, train), key => Load(key.Item1, key.Item2));
    }
}
