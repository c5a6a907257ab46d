using System.Text.Json;
using MMInterleaved.Model;
using MMInterleaved.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MMInterleaved.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("mmi-train-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Deterministic tiny-preset batches: batch i is a function of i alone.</summary>
    private sealed class SyntheticBatches : IBatchSource<InterleavedBatch>
    {
        private long next;
        public InterleavedBatch Next()
        {
            var g = new Generator((ulong)(1000 + next++));
            var t = ModelPresets.Tiny.Tokens;
            var words = randint(10, 40, [2, 5], generator: g);
            var rows = new List<long>();
            for (int r = 0; r < 2; r++)
                rows.AddRange([t.Bos, .. words[r].narrow(0, 0, 2).data<long>().ToArray(), t.BeginOfImage, t.Image, t.Image, t.Image, t.Image,
                    .. words[r].narrow(0, 2, 3).data<long>().ToArray(), t.Eos]);
            return new InterleavedBatch(tensor(rows.ToArray()).view(2, -1), ones(2, rows.Count / 2, dtype: int64), rand([2, 3, 32, 32], generator: g));
        }
        public string Position => JsonSerializer.Serialize(next);
        public void Restore(string position) => next = JsonSerializer.Deserialize<long>(position);
    }

    private static TrainingConfig Config(int steps) => new()
    {
        Steps = steps, LearningRate = 3e-3, WarmupSteps = 2, CheckpointEvery = 3, KeepCheckpoints = 3, LogEvery = 1, Seed = 5,
    };

    private (MMInterleavedModel Model, Trainer<InterleavedBatch> Trainer) Setup(string folder, TrainingConfig config, long initSeed, Func<InterleavedBatch, StepLoss>? lossOverride = null)
    {
        manual_seed(initSeed);
        var model = new MMInterleavedModel(ModelPresets.Tiny);
        var trainer = new Trainer<InterleavedBatch>(model, config, new SyntheticBatches(),
            lossOverride ?? (b => new StepLoss(model.forward(b).Loss!, b.InputIds.numel())), folder);
        return (model, trainer);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_the_same_numbers_as_an_uninterrupted_run()
    {
        using var single = new SingleThread();   // the same numbers hold per thread count; see SingleThread
        var (fullModel, full) = Setup(Path.Combine(root, "full"), Config(6), initSeed: 1);
        var uninterrupted = full.Run();

        // A second run folder holding only the step-3 checkpoint, as if the first run had died after writing it.
        string resumed = Path.Combine(root, "resumed");
        Directory.CreateDirectory(resumed);
        CopyFolder(Path.Combine(root, "full", "checkpoint-000003"), Path.Combine(resumed, "checkpoint-000003"));
        File.WriteAllText(Path.Combine(resumed, "latest"), "checkpoint-000003");
        var (model, trainer) = Setup(resumed, Config(6), initSeed: 99); // different init: everything must come from the checkpoint
        var continued = trainer.Run(resume: true);

        Assert.Equal(uninterrupted.History.Skip(3).Select(p => p.Loss), continued.History.Select(p => p.Loss));
        var expected = fullModel.state_dict();
        foreach (var (key, value) in model.state_dict())
            Assert.True(value.eq(expected[key]).all().item<bool>(), key);
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_the_step_and_keeps_the_last_checkpoint()
    {
        int calls = 0;
        MMInterleavedModel? model = null;
        var (m, trainer) = Setup(Path.Combine(root, "nan"), Config(6), initSeed: 2, b =>
        {
            var l = model!.forward(b).Loss!;
            return new StepLoss(++calls == 5 ? l * double.NaN : l, 1);
        });
        model = m;
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(5, e.Step);
        Assert.True(double.IsNaN(e.Loss));
        Assert.Contains("step 5", e.Message);
        Assert.Contains("checkpoint-000003", e.Message);
        var store = new CheckpointStore(Path.Combine(root, "nan"));
        Assert.EndsWith("checkpoint-000003", store.Latest);
        manual_seed(3);
        var reloaded = new MMInterleavedModel(ModelPresets.Tiny);
        var groups = ParameterGroups.Build(reloaded, Config(6));
        var state = CheckpointStore.Load(store.Latest!, reloaded, ParameterGroups.CreateOptimizer(groups, Config(6)));
        Assert.Equal(3, state.Step);
        Assert.DoesNotContain(reloaded.parameters(), p => p.isnan().any().item<bool>());
    }

    [Fact]
    public void Parameter_groups_follow_the_reference_rules()
    {
        var model = new MMInterleavedModel(ModelPresets.Tiny);
        var groups = ParameterGroups.Build(model, Config(1));
        ParameterGroups.Group GroupOf(string name) => groups.Single(g => g.Parameters.Any(p => p.Name == name));
        var gate = GroupOf("mm_decoder.layers.0.llama_cross_attn.gate");
        Assert.Equal(3e-2, gate.LearningRate, 12);                    // 10× the base rate
        Assert.Equal(0.0, gate.WeightDecay);
        var offsets = GroupOf("mm_decoder.layers.0.llama_cross_attn.attn.sampling_offsets.weight");
        Assert.Equal(3e-4, offsets.LearningRate, 12);                 // 0.1×, first match wins over llama_cross_attn
        Assert.Equal(0.0, GroupOf("mm_decoder.layers.0.llama_cross_attn.attn.value_proj.bias").WeightDecay); // biases
        Assert.Equal(0.05, GroupOf("mm_decoder.layers.0.llama_cross_attn.attn.value_proj.weight").WeightDecay);
        Assert.Equal(0.0, GroupOf("visual_tokenizer.pos_ln.weight").WeightDecay);        // nn.LayerNorm
        Assert.Equal(0.05, GroupOf("mm_decoder.layers.0.input_layernorm.weight").WeightDecay); // RMSNorm is decayed, as in HF
        Assert.DoesNotContain(groups.SelectMany(g => g.Parameters), p => p.Name == "visual_tokenizer.pos_embed"); // frozen
    }

    [Fact]
    public void Tokenizer_scale_adds_a_group_only_when_asked_and_zero_keeps_the_tokenizer_at_its_initialisation()
    {
        Assert.DoesNotContain(TrainingConfig.MmfsGroups(10, 0.1), g => g.Match == TrainingConfig.TokenizerMatch);
        var config = Config(2) with { Groups = TrainingConfig.MmfsGroups(10, 0.1, tokenizerScale: 0) };
        var (model, trainer) = Setup(Path.Combine(root, "frozen-tokenizer"), config, initSeed: 4);
        var groups = ParameterGroups.Build(model, config);
        Assert.Equal(0.0, groups.Single(g => g.Parameters.Any(p => p.Name == "visual_tokenizer.proj.weight")).LearningRate);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        trainer.Run();
        var moved = model.named_parameters().Where(p => p.parameter.requires_grad && !p.parameter.detach().eq(before[p.name]).all().item<bool>()).Select(p => p.name).ToList();
        Assert.DoesNotContain(moved, n => n.StartsWith(TrainingConfig.TokenizerMatch, StringComparison.Ordinal));
        Assert.Contains(moved, n => n.StartsWith("mm_decoder.", StringComparison.Ordinal));
        Assert.Contains(before.Keys, n => n.StartsWith("visual_tokenizer.perceiver_resampler.", StringComparison.Ordinal));
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_a_cosine()
    {
        var config = new TrainingConfig { Steps = 110, WarmupSteps = 10 };
        Assert.Equal(0.0, config.ScheduleFactor(0));
        Assert.Equal(0.5, config.ScheduleFactor(5), 12);
        Assert.Equal(1.0, config.ScheduleFactor(10), 12);
        Assert.Equal(0.5, config.ScheduleFactor(60), 12);
        Assert.Equal(0.0, config.ScheduleFactor(110), 12);
        Assert.Equal(0.1, (config with { MinLearningRateRatio = 0.1 }).ScheduleFactor(110), 12);
    }

    [Fact]
    public void A_step_with_a_non_finite_gradient_is_skipped_and_logged()
    {
        var weight = nn.Parameter(zeros(3));
        var module = new ParameterHolder(weight);
        int call = 0;
        var trainer = new Trainer<InterleavedBatch>(module, new TrainingConfig { Steps = 3, WarmupSteps = 0, LogEvery = 1, Groups = [] }, new SyntheticBatches(),
            _ => new StepLoss(++call == 2 ? (weight * 0).abs().sqrt().sum() : (weight - 1).pow(2).sum(), 1), Path.Combine(root, "skip")); // step 2: finite loss, NaN gradient
        var result = trainer.Run();
        Assert.Equal(1, result.SkippedSteps);
        Assert.True(result.History[1].Skipped);
        Assert.False(weight.isnan().any().item<bool>());
        var lines = File.ReadAllLines(Path.Combine(root, "skip", "metrics.jsonl"));
        Assert.Contains(lines, l => l.Contains("\"skipped\":true"));
    }

    private sealed class ParameterHolder : nn.Module
    {
        private readonly Parameter weight;
        public ParameterHolder(Parameter weight) : base("holder") { this.weight = weight; RegisterComponents(); }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
