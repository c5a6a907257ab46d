using MMInterleaved.Runtime;
using TorchSharp;
using Xunit;

namespace MMInterleaved.Tests.Runtime;

[Collection(TorchCollection.Name)]
public class DeviceSelectionTests
{
    [Fact]
    public void Cpu_is_always_available_and_listed_first()
    {
        var devices = DeviceSelection.Available();
        Assert.Equal(DeviceType.CPU, devices[0].type);
        Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve("cpu").type);
        Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve(" CPU ").type);
    }

    [Fact]
    public void Auto_picks_cuda_exactly_when_it_is_available()
    {
        var expected = DeviceSelection.CudaAvailable ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, DeviceSelection.Resolve("auto").type);
    }

    [Fact]
    public void Environment_variable_is_used_when_no_setting_is_given()
    {
        string? previous = Environment.GetEnvironmentVariable(DeviceSelection.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeviceSelection.EnvironmentVariable, "cpu");
            Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve().type);
            Environment.SetEnvironmentVariable(DeviceSelection.EnvironmentVariable, "quantum");
            var e = Assert.Throws<ArgumentException>(() => DeviceSelection.Resolve());
            Assert.Contains("MMI_DEVICE", e.Message);
            Assert.Contains("quantum", e.Message);
            Assert.Equal(DeviceType.CPU, DeviceSelection.Resolve("cpu").type); // an explicit setting wins
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeviceSelection.EnvironmentVariable, previous);
        }
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void Bad_device_names_are_rejected_with_the_allowed_values(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceSelection.Resolve(spec));
        Assert.Contains(spec, e.Message);
        Assert.Contains("cuda", e.Message);
    }

    [Fact]
    public void Asking_for_cuda_without_a_gpu_says_so()
    {
        if (DeviceSelection.CudaAvailable) return; // only meaningful on a CPU-only machine
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSelection.Resolve("cuda"));
        Assert.Contains("no CUDA device", e.Message);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Tensor_math_agrees_with_cpu_on_every_available_device(string deviceName)
    {
        using var scope = torch.NewDisposeScope();
        var device = TestDevices.Parse(deviceName);
        var generator = new torch.Generator(7);
        var x = torch.randn(new long[] { 16, 8 }, generator: generator, dtype: torch.float64);
        var expected = x.matmul(x.T).sum().item<double>();
        var actual = x.to(device).matmul(x.to(device).T).sum().cpu().item<double>();
        Assert.Equal(expected, actual, 1e-9);
    }
}
