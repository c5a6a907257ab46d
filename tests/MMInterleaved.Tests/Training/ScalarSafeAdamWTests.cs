using MMInterleaved.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class ScalarSafeAdamWTests
{
    private static (Sequential Model, List<AdamW.ParamGroup> Groups) Build()
    {
        manual_seed(11);
        var model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3));
        var parameters = model.parameters().ToList();
        // two groups with their own rates and decays, as the trainer builds them
        return (model, [new AdamW.ParamGroup(parameters.Take(2), 3e-3, 0.9, 0.995, 1e-6, 0.05, false, false),
                        new AdamW.ParamGroup(parameters.Skip(2), 3e-2, 0.9, 0.995, 1e-6, 0.0, false, false)]);
    }

    private static void Train(Sequential model, OptimizerHelper optimizer, int steps)
    {
        var g = new Generator(5);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.forward(randn([8, 6], generator: g)).pow(2).mean().backward();
            optimizer.step();
        }
    }

    [Fact]
    public void It_updates_exactly_as_torchsharps_adamw_and_its_saved_state_continues_the_same_way()
    {
        var (reference, referenceGroups) = Build();
        var (safe, safeGroups) = Build();
        var torchSharp = torch.optim.AdamW(referenceGroups, 1e-3, 0.9, 0.995, 1e-6, 0.05, false, false);
        var ours = new ScalarSafeAdamW(safeGroups, 1e-3, 0.9, 0.995, 1e-6, 0.05);
        Train(reference, torchSharp, 5);
        Train(safe, ours, 5);
        var expected = reference.state_dict();
        foreach (var (key, value) in safe.state_dict()) Assert.True(value.eq(expected[key]).all().item<bool>(), key);

        // and a saved state of ours continues to the same weights as TorchSharp's never interrupted
        string file = Path.Combine(Path.GetTempPath(), $"mmi-adamw-{Guid.NewGuid():N}.bin");
        try
        {
            ours.save_state_dict(file);
            var (reloaded, reloadedGroups) = Build();
            using (no_grad()) foreach (var (key, value) in reloaded.state_dict()) value.copy_(safe.state_dict()[key]);
            var continued = new ScalarSafeAdamW(reloadedGroups, 1e-3, 0.9, 0.995, 1e-6, 0.05);
            continued.load_state_dict(file);
            Train(reference, torchSharp, 3);
            Train(reloaded, continued, 3);
            foreach (var (key, value) in reloaded.state_dict()) Assert.True(value.eq(reference.state_dict()[key]).all().item<bool>(), key);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
