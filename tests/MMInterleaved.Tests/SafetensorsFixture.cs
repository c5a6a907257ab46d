using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MMInterleaved.Tests;

/// <summary>A parity fixture produced by the reference code (tests/MMInterleaved.Tests/Fixtures): its tensors and
/// its safetensors metadata.</summary>
public sealed class SafetensorsFixture : IDisposable
{
    public Dictionary<string, Tensor> Tensors { get; }
    public Dictionary<string, string> Metadata { get; }

    public SafetensorsFixture(string relativePath)
    {
        string path = Path.Combine(RepositoryPaths.TestFixtures, relativePath);
        Tensors = Safetensors.LoadStateDict(path);
        Metadata = ReadMetadata(path);
    }

    public Tensor this[string name] => Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture has no tensor '{name}'");

    public int Int(string key) => int.Parse(Metadata[key], System.Globalization.CultureInfo.InvariantCulture);
    public double Double(string key) => double.Parse(Metadata[key], System.Globalization.CultureInfo.InvariantCulture);
    public int[] Ints(string key) => JsonSerializer.Deserialize<int[]>(Metadata[key])!;

    /// <summary>max |actual − expected| / max |expected|, the fixtures' agreement measure.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var a = actual.detach().cpu().to(float64);
        var e = expected.detach().cpu().to(float64);
        if (!a.shape.SequenceEqual(e.shape))
            throw new InvalidOperationException($"shape [{string.Join(",", a.shape)}] vs expected [{string.Join(",", e.shape)}]");
        return (a - e).abs().max().item<double>() / Math.Max(e.abs().max().item<double>(), 1e-300);
    }

    private static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var header = new byte[BitConverter.ToInt64(lengthBytes)];
        stream.ReadExactly(header);
        using var json = JsonDocument.Parse(header);
        return json.RootElement.TryGetProperty("__metadata__", out var meta)
            ? meta.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
