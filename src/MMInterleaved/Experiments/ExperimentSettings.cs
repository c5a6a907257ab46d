using MMInterleaved.Data;
using MMInterleaved.Training;

namespace MMInterleaved.Experiments;

/// <summary>
/// How an ablation experiment runs: model preset, training length, seeds, evaluation sizes and parallelism. <see cref="Full"/>
/// is the committed-results setting (small preset, 5 seeds, 5000 steps, 2000 Test questions, every arm tuned); <see cref="QuickSettings"/> is the
/// seconds-scale smoke run that the tests and `mmi reproduce --quick` use (tiny preset: its numbers mean nothing). The
/// training defaults are `mmi train`'s (<see cref="TrainingArgs.Default"/>), so the ablations run the recipe of the README.
/// </summary>
public sealed record ExperimentSettings
{
    /// <summary>Quick mode: the tiny preset, a handful of steps.</summary>
    public bool Quick { get; init; }
    /// <summary>Model preset every variant starts from.</summary>
    public string Preset { get; init; } = "small";
    /// <summary>Optimizer steps per run.</summary>
    public int Steps { get; init; } = TrainingArgs.Default.Optimization.Steps;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = TrainingArgs.Default.Optimization.LearningRate;
    /// <summary>Peak learning rates every trained arm is tuned over before its seeds run (<see cref="LearningRateTuning"/>:
    /// one full-length run per rate with <see cref="TuningSeed"/>, the best on the Validation curve wins); empty: no tuning,
    /// every arm at <see cref="LearningRate"/> (or its own <see cref="AblationVariant.LearningRate"/>). The full grid spans the
    /// rates at which some arm did best in the development sweep (results/probes: the many-token baselines learn at 1e-4 to
    /// 3e-4, MMFS at 1e-3) and 3e-3, because MMFS's best sat at the top of that sweep's three rates.</summary>
    public IReadOnlyList<double> LearningRateGrid { get; init; } = [1e-4, 3e-4, 1e-3, 3e-3];
    /// <summary>The seed of the tuning runs: none of <see cref="Seeds"/>, so the reported runs are not the ones the rate was
    /// picked on.</summary>
    public long TuningSeed { get; init; } = 100;
    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; init; } = TrainingArgs.Default.Optimization.WarmupSteps;
    /// <summary>Seeds (data and initialisation) of every variant.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0, 1, 2];
    /// <summary>Packed sequences per step.</summary>
    public int BatchSize { get; init; } = TrainingArgs.Default.BatchSize;
    /// <summary>Tokens per packed sequence before visual tokens beyond the preset's are added (see <see cref="AblationRun"/>).</summary>
    public int MaxTextLength { get; init; } = TrainingArgs.Default.TextLength;
    /// <summary>Training questions per image.</summary>
    public int QuestionsPerImage { get; init; } = TrainingArgs.Default.QuestionsPerImage;
    /// <summary>Held-out questions of the final evaluation.</summary>
    public int TestQuestions { get; init; } = 2000;
    /// <summary>Held-out images of the final caption evaluation (caption experiments).</summary>
    public int TestCaptions { get; init; } = 500;
    /// <summary>Held-out images of each learning-curve caption evaluation (caption experiments).</summary>
    public int CurveCaptions { get; init; } = 64;
    /// <summary>Share of the VQA questions (training and scoring) that are coarse, about the whole scene
    /// (<see cref="Data.Tasks.VqaQuestionMix.WithCoarse"/>), reported as their own column beside the fine ones. Results
    /// saved before it existed had none (<see cref="ExperimentResult.Load"/> reads them so).</summary>
    public double CoarseQuestionShare { get; init; } = 0.25;
    /// <summary>The split the final numbers are scored on: Test, which nothing is tuned on; the learning curve always
    /// reads Validation (development's split). Results saved before the split was recorded were scored on Validation
    /// (<see cref="ExperimentResult.Load"/> reads them so).</summary>
    public DataSplit ScoreSplit { get; init; } = DataSplit.Test;
    /// <summary>The frozen vision encoder every variant of the small preset loads: the committed one pre-trained on the
    /// cells' own labels (the questions' answers; kept as the labelled variant), or one pre-trained on another objective
    /// that never names the questions' cells (scattered-glyphs: a sparse 6×6 lattice; <see cref="Training.EncoderObjective"/>; issue 17).</summary>
    public Training.EncoderObjective EncoderObjective { get; init; } = Training.EncoderObjective.CellLabels;
    /// <summary>Which generation of the built-in training data the runs saw (<see cref="CurrentDataRevision"/>); part of
    /// every run's fingerprint, so a run made from older data is never reused. Results saved before it was recorded read 1.</summary>
    public int DataRevision { get; init; } = CurrentDataRevision;
    /// <summary>2: each answer but the last of a several-question document ends with its period in the target (before, the
    /// period sat untrained in the next prompt and models ran on past their answer), and the coarse count asks how many
    /// colours (count_colors) instead of the constant glyph count. 1: the data of every result committed before.</summary>
    public const int CurrentDataRevision = 2;
    /// <summary>Steps between the small evaluations of the learning curve (accuracy at equal wall time comes from it).</summary>
    public int CurveEvery { get; init; } = 250;
    /// <summary>Held-out questions of each learning-curve evaluation.</summary>
    public int CurveQuestions { get; init; } = 300;
    /// <summary>Runs trained at once, one intra-op thread each (at most the number of cores).</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Where results and reports go.</summary>
    public string OutFolder { get; init; } = Path.Combine("artifacts", "reproduce");
    /// <summary>Where the runs' folders (checkpoints, metrics logs) go (null: a <c>runs</c> folder in <see cref="OutFolder"/>).</summary>
    public string? RunsFolder { get; init; }

    /// <summary>Keep every run whose folder already holds a finished record with the same fingerprint (an interrupted
    /// experiment picks up where it stopped; see <see cref="AblationRun.FinishedRecord"/>); off: every run trains again.</summary>
    public bool Resume { get; init; }

    /// <summary>The full setting: five seeds (the headline comparisons need at least five; take-off can be bimodal), 5000
    /// steps (on the encoder that never saw the questions' cells MMFS takes off near step 2000 and was still rising at
    /// 3000: results/probes, 36.9 % at 3000 steps against 71.9 % at 5000 on Test), that scattered-glyph encoder, every
    /// arm tuned over <see cref="LearningRateGrid"/>.</summary>
    public static ExperimentSettings Full => new() { Seeds = [0, 1, 2, 3, 4], Steps = 5000, EncoderObjective = Training.EncoderObjective.ScatteredGlyphs };

    /// <summary>The quick setting: tiny preset, 6 steps, 2 seeds, 24 test questions, one run at a time. Why one: the tiny
    /// model's many small operations make TorchSharp's implicit-Scalar race (README, platform notes) likely when two runs
    /// train in threads; the quick runs measure nothing, so threads would only save seconds.</summary>
    public static ExperimentSettings QuickSettings => new()
    {
        Quick = true, Preset = "tiny", Steps = 6, WarmupSteps = 1, Seeds = [0, 1], BatchSize = 4, MaxTextLength = 56, QuestionsPerImage = 2,
        TestQuestions = 24, CurveEvery = 3, CurveQuestions = 8, TestCaptions = 8, CurveCaptions = 4, Parallelism = 1,
        LearningRateGrid = [],
    };

    /// <summary>Throws an ArgumentException naming the field, its value and what is allowed.</summary>
    public ExperimentSettings Validated()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException("ExperimentSettings: " + message); }
        Require(Steps > 0, $"Steps is {Steps}; it must be positive.");
        Require(Seeds.Count > 0 && Seeds.Distinct().Count() == Seeds.Count, "Seeds must be a non-empty list of distinct seeds.");
        Require(BatchSize > 0 && MaxTextLength > 16, $"BatchSize ({BatchSize}) must be positive and MaxTextLength ({MaxTextLength}) above 16.");
        Require(TestQuestions > 0 && CurveQuestions > 0 && CurveEvery > 0 && TestCaptions > 0 && CurveCaptions > 0,
            "TestQuestions, CurveQuestions, TestCaptions, CurveCaptions and CurveEvery must be positive.");
        Require(Parallelism is > 0 and <= 64, $"Parallelism is {Parallelism}; it must be in 1…64.");
        Require(CoarseQuestionShare is >= 0 and < 1, $"CoarseQuestionShare is {CoarseQuestionShare}; it must be in [0, 1).");
        Require(LearningRateGrid.All(r => r > 0 && double.IsFinite(r)) && LearningRateGrid.Distinct().Count() == LearningRateGrid.Count,
            $"LearningRateGrid [{string.Join(", ", LearningRateGrid)}] must hold distinct positive rates.");
        Require(LearningRateGrid.Count == 0 || !Seeds.Contains(TuningSeed), $"TuningSeed {TuningSeed} is one of the Seeds; the rate must be picked on a run that is not reported.");
        Require(ScoreSplit != DataSplit.Train, "ScoreSplit is Train; final numbers are scored on held-out documents (Test, or Validation).");
        return this;
    }
}
