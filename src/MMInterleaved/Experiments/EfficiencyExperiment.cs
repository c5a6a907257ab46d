using System.Diagnostics;
using MMInterleaved.Benchmarks;
using MMInterleaved.Data;
using MMInterleaved.Data.Glyphs;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Data.Text;
using MMInterleaved.Model;
using MMInterleaved.Runtime;
using MMInterleaved.Training;
using static TorchSharp.torch;

namespace MMInterleaved.Experiments;

/// <summary>
/// Figure 6 (right) of the paper: what MMFS costs. Three arms of the preset on the ablations' training batch — MMFS with
/// few tokens, the same without MMFS, and no MMFS with 8× the tokens — measured in one process: parameters, analytic
/// forward multiply-adds (<see cref="ModelFlops"/>), the median time of a training step (forward, backward, AdamW) over
/// interleaved repeats, and the step's peak memory above what was resident before it (Linux peak RSS, reset before each
/// step). Results are ratios between arms measured side by side; absolute times depend on the machine.
/// </summary>
public static class EfficiencyExperiment
{
    /// <summary>Command-line name.</summary>
    public const string Id = "efficiency";

    /// <summary>The arms: name, label, config change.</summary>
    public static IReadOnlyList<AblationVariant> Arms { get; } =
    [
        new("mmfs-8", $"MMFS, {AblationCatalog.FewTokens} tokens", c => c.WithNumImageTokens(AblationCatalog.FewTokens), AblationCatalog.FewTokens),
        new("no-mmfs-8", $"no MMFS, {AblationCatalog.FewTokens} tokens", c => AblationVariant.WithMmfs(c.WithNumImageTokens(AblationCatalog.FewTokens), false), AblationCatalog.FewTokens),
        new("no-mmfs-64", $"no MMFS, {AblationCatalog.ManyTokens} tokens", c => AblationVariant.WithMmfs(c.WithNumImageTokens(AblationCatalog.ManyTokens), false), AblationCatalog.ManyTokens),
    ];

    /// <summary>Measures every arm; <paramref name="repeats"/> timed steps per arm after two warm-up steps.</summary>
    public static EfficiencyResult Run(ExperimentSettings settings, int repeats = 10, string command = "")
    {
        settings = settings.Validated();
        var scene = new GlyphSceneOptions(ImageSize: ModelPresets.Resolve(settings.Preset).Vision.ImageSize);
        var task = GridTasks.Create("glyph-vqa", new GridTaskOptions(0, DataSplit.Train, scene) { QuestionsPerImage = settings.QuestionsPerImage });
        var preset = ModelPresets.Resolve(settings.Preset);
        var tokenizer = WordTokenizer.FromCorpus(task.Take(500).SelectMany(d => d.Segments.OfType<TextSegment>().Select(s => s.Text)),
            preset.Decoder.VocabSize, keepMostFrequent: true);

        var arms = Arms.Select(arm =>
        {
            var config = arm.Configure(preset).Validated();
            MMInterleavedModel model;
            lock (GlobalRandom.Lock)
            {
                manual_seed(0);
                model = new MMInterleavedModel(config);
            }
            var stream = new BatchStream(i => task.Get(i), new SequenceBuilder(tokenizer, config.NumImageTokens),
                new SequencePacker(settings.MaxTextLength + 1 + config.NumImageTokens, config.CrossAttention.MaxImagesPerSequence - 1),
                new BatchCollator(config.Tokens, config.Vision.ImageSize), settings.BatchSize, default);
            var batch = stream.Next()!;
            var training = new TrainingConfig { LearningRate = settings.LearningRate };
            var optimizer = ParameterGroups.CreateOptimizer(ParameterGroups.Build(model, training), training);
            int rows = (int)batch.InputIds.shape[0], length = (int)batch.InputIds.shape[1], images = (int)batch.Images.shape[0];
            var perRow = batch.InputIds.eq(config.Tokens.BeginOfImage).sum(1).max().item<long>();
            return (Arm: arm, Config: config, Model: model, Batch: batch, Optimizer: optimizer,
                Macs: ModelFlops.ForwardMacs(config, rows, length, images, (int)perRow), Length: length);
        }).ToList();

        void Step(int i)
        {
            using var scope = NewDisposeScope();
            var a = arms[i];
            a.Optimizer.zero_grad();
            a.Model.forward(a.Batch).Loss!.backward();
            a.Optimizer.step();
        }

        var times = arms.Select(_ => new List<double>()).ToList();
        var extra = arms.Select(_ => new List<double>()).ToList();
        for (int i = 0; i < arms.Count; i++) { Step(i); Step(i); }          // warm-up: allocator, gradients, optimizer state
        for (int r = 0; r < repeats; r++)
            for (int i = 0; i < arms.Count; i++)                            // interleaved, so background load hits every arm alike
            {
                var watch = Stopwatch.StartNew();
                Step(i);
                times[i].Add(watch.Elapsed.TotalMilliseconds);
            }
        // memory in its own pass: trimming glibc's heap before a step costs page faults, so it stays out of the timing
        bool memoryTracked = true;
        for (int r = 0; r < Math.Max(2, repeats / 3); r++)
            for (int i = 0; i < arms.Count; i++)
            {
                GC.Collect();
                memoryTracked &= ProcessMemory.TrimFreedMemory();
                double before = ProcessMemory.ResetPeak();
                Step(i);
                extra[i].Add(ProcessMemory.PeakMb() - before);
            }

        var results = arms.Select((a, i) => new EfficiencyArm(a.Arm.Name, a.Arm.Label, a.Config.NumImageTokens, a.Length,
            a.Model.parameters().Sum(p => p.numel()), a.Model.parameters().Where(p => p.requires_grad).Sum(p => p.numel()),
            a.Macs.Values.Sum(), a.Macs, Median(times[i]), times[i], Median(extra[i]))).ToList();
        foreach (var a in arms) a.Model.Dispose();
        return new EfficiencyResult(command, DateTime.UtcNow, get_num_threads(), settings.BatchSize, repeats, results) { MemoryTracked = memoryTracked };
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
