using MMInterleaved.Native;
using TorchSharp;
using Xunit;

namespace MMInterleaved.Tests.Native;

[Collection(TorchCollection.Name)]
public class NativeLoadingTests
{
    [Fact]
    public void Bridge_is_preloaded_by_absolute_path_from_beside_the_library()
    {
        TorchNative.EnsureLoaded();
        string? path = TorchNative.LoadedFrom;
        Assert.NotNull(path);
        Assert.True(Path.IsPathRooted(path));
        string libraryFolder = Path.GetDirectoryName(typeof(TorchNative).Assembly.Location)!;
        Assert.StartsWith(libraryFolder, path);
    }

    [Fact]
    public void Libtorch_comes_from_the_same_folder_as_the_bridge()
    {
        TorchNative.EnsureLoaded();
        using var t = torch.ones(2); // make sure libtorch is in use
        string folder = Path.GetDirectoryName(TorchNative.LoadedFrom!)!;
        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && p[5].StartsWith('/'))
            .Select(p => p[5]).Distinct().ToList();
        string torchCpu = Assert.Single(mapped, p => Path.GetFileName(p) == "libtorch_cpu.so");
        Assert.Equal(folder, Path.GetDirectoryName(torchCpu)); // no other libtorch hijacked the load
        Assert.Single(mapped, p => Path.GetFileName(p) == "libLibTorchSharp.so");
    }

    [Fact]
    public void A_tensor_operation_gives_the_known_result()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var b = torch.tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, a.matmul(b).data<float>().ToArray());
    }

    [Fact]
    public void Versions_are_reported()
    {
        Assert.Equal("0.107.0", TorchNative.TorchSharpVersion);
        Assert.StartsWith("2.10", TorchNative.LibTorchVersion);
    }
}
