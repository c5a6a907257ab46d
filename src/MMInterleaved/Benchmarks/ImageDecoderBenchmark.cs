using MMInterleaved.Diffusion;
using MMInterleaved.Model;
using MMInterleaved.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MMInterleaved.Benchmarks;

/// <summary>
/// Times the image decoder of a preset at its own sizes (`mmi bench image-decoder`): a training step (diffusion loss with
/// condition dropout, backward, AdamW) and sampling one batch (DDIM with classifier-free guidance), for the plain UNet,
/// the UNet with MMFSNet reading one earlier image, and with MMFSNet but no image visible; all in one process, so the
/// ratios compare like with like. Optionally runs a long training loop with MMFSNet and records resident memory.
/// </summary>
public static class ImageDecoderBenchmark
{
    /// <summary>Variant names, in report order (the first is the ratios' baseline).</summary>
    public const string Plain = "UNet (no MMFSNet)", WithMmfs = "UNet + MMFSNet (one image)", Masked = "UNet + MMFSNet (no image visible)";

    /// <summary>Runs the benchmark; <paramref name="memorySteps"/> &gt; 0 adds the memory loop.</summary>
    public static ImageDecoderBenchReport Run(string preset, int batch, int repeats, int samplingSteps, int memorySteps = 0, double guidanceScale = 7.5,
        long seed = 0, Action<string>? progress = null)
    {
        if (batch < 1 || repeats < 1 || samplingSteps < 1 || memorySteps < 0)
            throw new ArgumentException($"image-decoder bench: batch {batch}, repeats {repeats} and sampling steps {samplingSteps} must be positive, memory steps {memorySteps} non-negative.");
        var model = ModelPresets.Get(preset);
        var config = ImageDecoderPresets.For(preset, model);
        manual_seed(seed);
        using var withMmfs = new ImageDecoder(config);
        manual_seed(seed);
        using var plain = new ImageDecoder(config with { Mmfs = null });
        var images = rand(batch, 3, config.ImageSize, config.ImageSize);
        var condition = randn(batch, config.Resampler.NumQueries, config.Resampler.HiddenSize);
        var levels = model.MultiScaleSides.Select(s => randn([batch, 1, model.Vision.HiddenSize, s, s])).ToArray();
        var visible = new MmfsFeatures(levels, ones(batch, 1, dtype: int64));
        var hidden = new MmfsFeatures(levels, zeros(batch, 1, dtype: int64));
        var sampling = new ImageSamplingOptions { Scheduler = "ddim", Steps = samplingSteps, GuidanceScale = guidanceScale };

        var rows = new List<ImageDecoderBenchRow>();
        foreach (var (name, decoder, features) in new[] { (Plain, plain, (MmfsFeatures?)null), (WithMmfs, withMmfs, visible), (Masked, withMmfs, hidden) })
        {
            progress?.Invoke($"{preset}: {name}");
            var step = TrainingStep(decoder, images, condition, features);
            var train = BenchTiming.Time(repeats, step);
            var sample = BenchTiming.Time(repeats, () =>
            {
                using var scope = NewDisposeScope();
                decoder.Generate(condition, features, sampling);
            });
            rows.Add(new ImageDecoderBenchRow(name, BenchTiming.Median(train), BenchTiming.Median(sample), train, sample));
        }

        var memory = new List<(int, double)>();
        if (memorySteps > 0)
        {
            var step = TrainingStep(withMmfs, images, condition, visible);
            for (int i = 1; i <= memorySteps; i++)
            {
                step();
                if (i % 100 == 0 || i == memorySteps)
                {
                    Runtime.ProcessMemory.TrimFreedMemory();
                    memory.Add((i, Environment.WorkingSet / 1e6));
                    progress?.Invoke($"{preset}: memory loop, step {i}/{memorySteps}");
                }
            }
        }
        return new ImageDecoderBenchReport(preset, batch, samplingSteps, guidanceScale, get_num_threads(), rows, memory);
    }

    // one training step in its own dispose scope: loss, backward, AdamW (the workbench's optimizer settings)
    private static Action TrainingStep(ImageDecoder decoder, Tensor images, Tensor condition, MmfsFeatures? features)
    {
        var recipe = new TrainingConfig();
        var optimizer = new ScalarSafeAdamW([new TorchSharp.Modules.AdamW.ParamGroup(decoder.parameters().Where(p => p.requires_grad), 1e-4, recipe.Beta1, recipe.Beta2,
            recipe.Eps, recipe.WeightDecay, false, false)], 1e-4, recipe.Beta1, recipe.Beta2, recipe.Eps, recipe.WeightDecay);
        var generator = new Generator(7);
        return () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            decoder.Loss(images, condition, features, generator: generator).backward();
            optimizer.step();
        };
    }
}
