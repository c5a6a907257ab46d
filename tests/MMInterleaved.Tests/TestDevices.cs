using MMInterleaved.Runtime;
using TorchSharp;
using Xunit;

namespace MMInterleaved.Tests;

/// <summary>Test data that yields every device this machine can compute on (CPU here; CPU and each GPU on a
/// CUDA machine), so device-parameterised tests run unchanged on GPU machines.</summary>
public static class TestDevices
{
    /// <summary>Device names for [MemberData].</summary>
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var device in DeviceSelection.Available()) data.Add(device.ToString());
        return data;
    }

    /// <summary>Parses a name produced by <see cref="All"/>.</summary>
    public static torch.Device Parse(string name) => new(name);
}
