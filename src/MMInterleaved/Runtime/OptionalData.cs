namespace MMInterleaved.Runtime;

/// <summary>
/// Finds optional data on disk (nothing is ever downloaded). The built-in datasets need none of it.
/// </summary>
public static class OptionalData
{
    /// <summary>The four IDX files of Fashion-MNIST, gzip-compressed, as Debian ships them.</summary>
    public static readonly string[] FashionMnistFiles =
    [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ];

    /// <summary>Folders searched for Fashion-MNIST, in order: MMI_FASHION_MNIST, data/fashion-mnist, Debian's location.</summary>
    public static IEnumerable<string> FashionMnistFolders(string? repositoryRoot = null)
    {
        string? env = Environment.GetEnvironmentVariable("MMI_FASHION_MNIST");
        if (!string.IsNullOrEmpty(env)) yield return env;
        yield return Path.Combine(repositoryRoot ?? Directory.GetCurrentDirectory(), "data", "fashion-mnist");
        yield return "/usr/share/datasets/fashion-mnist";
    }

    /// <summary>The first folder holding all four Fashion-MNIST files, or null.</summary>
    public static string? FindFashionMnist(string? repositoryRoot = null) =>
        FashionMnistFolders(repositoryRoot).FirstOrDefault(d => FashionMnistFiles.All(f => File.Exists(Path.Combine(d, f))));

    /// <summary>What to do when Fashion-MNIST is missing.</summary>
    public const string FashionMnistHint =
        "Fashion-MNIST not found. Install Debian's package (`apt-get install dataset-fashion-mnist`), or copy the four " +
        "*-ubyte.gz IDX files into data/fashion-mnist/, or point MMI_FASHION_MNIST at their folder.";

    /// <summary>A TrueType font for optional text rendering (DejaVu Sans from fonts-dejavu-core), or null.</summary>
    public static string? FindFont() =>
        new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf" }.FirstOrDefault(File.Exists);
}
