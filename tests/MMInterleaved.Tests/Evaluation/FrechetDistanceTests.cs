using System.Text.Json;
using MMInterleaved.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Evaluation;

/// <summary>FrechetDistance against pytorch-fid's own values (Fixtures/fid, made by pytorch-fid 0.3.0; see its README).</summary>
[Collection(TorchCollection.Name)]
public sealed class FrechetDistanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture().RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    private static JsonDocument Fixture() => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.TestFixtures, "fid", "fid_cases.json")));

    private static Tensor Features(JsonElement rows) =>
        tensor(rows.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray(), float64)
            .view(rows.GetArrayLength(), -1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_fid(string name)
    {
        using var scope = NewDisposeScope();
        using var json = Fixture();
        var c = json.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var a = Features(c.GetProperty("features_a"));
        var b = Features(c.GetProperty("features_b"));
        var (mu, sigma) = FrechetDistance.Statistics(a);
        var expectedMu = c.GetProperty("mu_a").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expectedMu, mu.data<double>().ToArray(), (x, y) => Math.Abs(x - y) <= 1e-9);
        Assert.Equal(c.GetProperty("sigma_a_trace").GetDouble(), sigma.trace().item<double>(), 1e-9);
        double expected = c.GetProperty("fid").GetDouble(), actual = FrechetDistance.Compute(a, b);
        Assert.True(Math.Abs(actual - expected) <= Math.Max(1e-6, 1e-6 * Math.Abs(expected)), $"{name}: FID {actual:R}, pytorch-fid {expected:R}");
    }

    [Fact]
    public void Is_symmetric_and_grows_with_a_mean_shift()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var a = randn([200, 8], float64, generator: g);
        var b = randn([150, 8], float64, generator: g) * 1.5;
        Assert.Equal(FrechetDistance.Compute(a, b), FrechetDistance.Compute(b, a), 9);
        Assert.True(FrechetDistance.Compute(a, b + 1) > FrechetDistance.Compute(a, b));
    }

    [Fact]
    public void Mismatched_widths_are_a_one_line_error()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(zeros(4, 3), zeros(4, 5)));
        Assert.Contains("same feature width", e.Message);
        Assert.Contains("N ≥ 2", Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(zeros(1, 3), zeros(4, 3))).Message);
    }
}
