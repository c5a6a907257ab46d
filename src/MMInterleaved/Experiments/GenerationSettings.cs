namespace MMInterleaved.Experiments;

/// <summary>
/// How a generation experiment runs. <see cref="Full"/> is the committed recipe (the text-to-image pixel-space x0 model of
/// results/text-to-image at 32 px, 600 steps of 4 sequences, the UNet at the base learning rate, three seeds, 48 Test
/// prompts with DDIM 50 and guidance 3.5; about 50 minutes per pair of runs on 2 cores); <see cref="Quick"/> exercises the
/// whole path in seconds (tiny preset, a few steps, a briefly trained segmenter) and measures nothing.
/// </summary>
public sealed record GenerationSettings
{
    /// <summary>Quick mode.</summary>
    public bool IsQuick { get; init; }
    /// <summary>Model preset or config file every arm starts from.</summary>
    public string Preset { get; init; } = Path.Combine("results", "text-to-image", "config-x0-pixel.json");
    /// <summary>Optimizer steps per run.</summary>
    public int Steps { get; init; } = 600;
    /// <summary>Packed sequences per step.</summary>
    public int BatchSize { get; init; } = 4;
    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Learning-rate multiplier of the UNet and MMFSNet.</summary>
    public double UNetScale { get; init; } = 1;
    /// <summary>Seeds of every arm (pairing the arms).</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0, 1, 2];
    /// <summary>Test prompts scored per run.</summary>
    public int TestPrompts { get; init; } = 48;
    /// <summary>Test documents scored per run on each comprehension task an experiment also scores (text is cheap to
    /// generate, so more than <see cref="TestPrompts"/>; `mmi eval`'s default).</summary>
    public int ComprehensionExamples { get; init; } = 500;
    /// <summary>Denoising steps per generated image.</summary>
    public int SamplingSteps { get; init; } = 50;
    /// <summary>Runs at once (worker processes, one thread each; in-process runs go one at a time).</summary>
    public int Parallelism { get; init; } = Math.Max(1, Math.Min(2, Environment.ProcessorCount));
    /// <summary>Keep runs whose folder already holds a finished evaluation.</summary>
    public bool Resume { get; init; }
    /// <summary>Run folders.</summary>
    public string RunsFolder { get; init; } = Path.Combine("artifacts", "reproduce", "runs");
    /// <summary>Segmenter training steps (null: the default of `mmi eval`, 800).</summary>
    public int? SegmenterSteps { get; init; }

    /// <summary>The committed recipe.</summary>
    public static GenerationSettings Full => new();

    /// <summary>The seconds-scale check.</summary>
    public static GenerationSettings Quick => new()
    {
        IsQuick = true, Preset = "tiny", Steps = 3, BatchSize = 2, WarmupSteps = 1, Seeds = [0, 1], TestPrompts = 3, ComprehensionExamples = 3, SamplingSteps = 2,
        Parallelism = 1, RunsFolder = Path.Combine("artifacts", "reproduce-quick", "runs"), SegmenterSteps = 20,
    };
}
