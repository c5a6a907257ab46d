using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>
/// Splits a model's trainable parameters into AdamW groups as the reference's trainer does: each parameter goes to the
/// first rule whose <c>Match</c> is a substring of its name (else the default group), and within each group biases and
/// <c>nn.LayerNorm</c> parameters get no weight decay (RMSNorm and custom channels-first norms are not LayerNorms, so they
/// are decayed, as in HF's rule).
/// </summary>
public static class ParameterGroups
{
    /// <summary>One group: its label, learning rate, weight decay and parameter names.</summary>
    public sealed record Group(string Label, double LearningRate, double WeightDecay, IReadOnlyList<(string Name, Parameter Parameter)> Parameters);

    /// <summary>The groups for a model (empty groups are dropped).</summary>
    public static IReadOnlyList<Group> Build(nn.Module model, TrainingConfig config)
    {
        var layerNormParameters = new HashSet<string>();
        foreach (var (moduleName, module) in model.named_modules())
            if (module is LayerNorm)
                foreach (var (name, _) in module.named_parameters())
                    layerNormParameters.Add(moduleName.Length == 0 ? name : moduleName + "." + name);

        var buckets = new Dictionary<(int Rule, bool Decay), List<(string, Parameter)>>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            int rule = config.Groups.ToList().FindIndex(g => name.Contains(g.Match, StringComparison.Ordinal));
            bool decay = !(name.EndsWith("bias", StringComparison.Ordinal) || layerNormParameters.Contains(name));
            var key = (rule, decay);
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
            list.Add((name, parameter));
        }
        return buckets.OrderBy(kv => kv.Key.Rule < 0 ? int.MaxValue : kv.Key.Rule).ThenBy(kv => !kv.Key.Decay).Select(kv =>
        {
            var rule = kv.Key.Rule >= 0 ? config.Groups[kv.Key.Rule] : null;
            double lr = config.LearningRate * (rule?.LearningRateScale ?? 1.0);
            double wd = kv.Key.Decay ? rule?.WeightDecay ?? config.WeightDecay : 0.0;
            string label = (rule?.Match ?? "default") + (kv.Key.Decay ? "" : " (no decay)");
            return new Group(label, lr, wd, kv.Value);
        }).ToList();
    }

    /// <summary>An AdamW optimizer over the groups (<see cref="ScalarSafeAdamW"/>: TorchSharp's update, safe in threads).</summary>
    public static AdamW CreateOptimizer(IReadOnlyList<Group> groups, TrainingConfig config) =>
        new ScalarSafeAdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters.Select(p => p.Parameter), g.LearningRate,
            config.Beta1, config.Beta2, config.Eps, g.WeightDecay, false, false)), config.LearningRate, config.Beta1, config.Beta2,
            config.Eps, config.WeightDecay);
}
