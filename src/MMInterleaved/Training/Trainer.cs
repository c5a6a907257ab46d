using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>
/// The training loop: AdamW over the reference's parameter groups, warm-up plus cosine schedule, gradient accumulation and
/// clipping, periodic evaluation, a JSON-Lines metrics log (<c>metrics.jsonl</c>), progress events, and atomic checkpoints
/// that resume to the same numbers as an uninterrupted run (same machine and thread count). A NaN or infinite loss stops the
/// run before the optimizer moves, naming the step and the value; the last good checkpoint stays intact. A step whose
/// gradient norm is not finite, or far above its running median, is skipped and logged (a pilot saw isolated 1e5 spikes).
/// A micro-batch without targets (<see cref="StepLoss.Loss"/> null) is skipped and counted (<c>empty_batches</c> in the log).
/// Cancelling the token passed to <see cref="Run"/> ends the run after the current step with a checkpoint of it.
/// Every step runs inside a dispose scope, so memory stays flat.
/// </summary>
public sealed class Trainer<TBatch>(nn.Module model, TrainingConfig config, IBatchSource<TBatch> data, Func<TBatch, StepLoss> loss, string runFolder)
{
    private readonly TrainingConfig config = config.Validated();

    // metrics may hold NaN or ∞ (a skipped step's gradient norm): written as "NaN"/"Infinity" rather than failing
    private static readonly JsonSerializerOptions LogJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Called every EvalEvery steps and at the end; returns named metrics (logged and reported).</summary>
    public Func<int, IReadOnlyDictionary<string, double>>? Evaluate { get; set; }

    /// <summary>Called with each evaluation's metrics; true ends the run early (after a checkpoint).</summary>
    public Func<IReadOnlyDictionary<string, double>, bool>? StopWhen { get; init; }

    /// <summary>Extra numbers logged with each step (for example the MMFS gates).</summary>
    public Func<IReadOnlyDictionary<string, double>>? ExtraMetrics { get; init; }

    /// <summary>Extra files stored in every checkpoint (for example the model's config.json).</summary>
    public IReadOnlyDictionary<string, string>? CheckpointFiles { get; init; }

    /// <summary>Raised after every logged step.</summary>
    public event Action<TrainingProgress>? Progress;

    /// <summary>Raised after every evaluation with (step, metrics).</summary>
    public event Action<int, IReadOnlyDictionary<string, double>>? Evaluated;

    /// <summary>Time spent in <see cref="Evaluate"/> so far (training time = wall time minus this).</summary>
    public TimeSpan EvaluationTime { get; private set; }

    /// <summary>The parameter groups (for display).</summary>
    public IReadOnlyList<ParameterGroups.Group> Groups { get; } = ParameterGroups.Build(model, config.Validated());

    /// <summary>Runs to <see cref="TrainingConfig.Steps"/>; with <paramref name="resume"/>, continues from the run folder's
    /// latest checkpoint when there is one.</summary>
    public TrainingResult Run(bool resume = false, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(runFolder);
        var optimizer = ParameterGroups.CreateOptimizer(Groups, config);
        var parameters = Groups.SelectMany(g => g.Parameters.Select(p => p.Parameter)).ToList();
        var store = new CheckpointStore(runFolder, config.KeepCheckpoints);
        store.RemoveTemporary();   // what a run killed while writing a checkpoint left behind
        int start = 0;
        if (resume && store.Latest is string latest)
        {
            var state = CheckpointStore.Load(latest, model, optimizer);
            data.Restore(state.DataPosition);
            start = state.Step;
        }
        else
        {
            lock (GlobalRandom.Lock) manual_seed(config.Seed);
        }

        using var log = new StreamWriter(Path.Combine(runFolder, "metrics.jsonl"), append: true) { AutoFlush = true };
        var history = new List<TrainingProgress>();
        var recentNorms = new Queue<double>();
        var clock = Stopwatch.StartNew();
        string? checkpoint = store.Latest;
        double lastLoss = double.NaN;
        int skipped = 0, empty = 0;
        for (int step = start; step < config.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var stepClock = Stopwatch.StartNew();
            double factor = config.ScheduleFactor(step);
            var optimizerGroups = optimizer.ParamGroups.ToList();
            for (int g = 0; g < Groups.Count; g++) optimizerGroups[g].LearningRate = Groups[g].LearningRate * factor;
            optimizer.zero_grad();

            var terms = new Dictionary<string, (double Sum, int Count)>();
            double stepLoss = 0, dataSeconds = 0;
            long tokens = 0;
            int counted = 0, emptyHere = 0;
            for (int micro = 0; micro < config.GradientAccumulation; micro++)
            {
                var dataClock = Stopwatch.StartNew();
                var batch = data.Next();
                dataSeconds += dataClock.Elapsed.TotalSeconds;
                using var microScope = NewDisposeScope();
                var result = loss(batch);
                tokens += result.Tokens;
                if (result.Loss is null)
                {
                    emptyHere++;
                    continue;
                }
                double value = result.Loss.detach().cpu().to(float64).item<double>();
                if (!double.IsFinite(value)) throw new TrainingDivergedException(step + 1, value, checkpoint);
                (result.Loss / config.GradientAccumulation).backward();
                stepLoss += value / config.GradientAccumulation;
                counted++;
                foreach (var (name, term) in result.Terms ?? new Dictionary<string, Tensor?>())
                    if (term is not null)
                    {
                        var (sum, n) = terms.GetValueOrDefault(name);
                        terms[name] = (sum + term.detach().cpu().to(float64).item<double>(), n + 1);
                    }
            }
            empty += emptyHere;

            // a step whose every micro-batch was empty has no gradient: nothing to clip or apply
            double norm = counted == 0 ? double.NaN : nn.utils.clip_grad_norm_(parameters, config.MaxGradNorm > 0 ? config.MaxGradNorm : double.MaxValue, 2.0);
            bool skip = counted == 0 || !double.IsFinite(norm) || (config.SkipGradNormFactor > 0 && recentNorms.Count >= 10 && norm > config.SkipGradNormFactor * Median(recentNorms));
            if (counted > 0 && counted < config.GradientAccumulation) stepLoss *= (double)config.GradientAccumulation / counted;
            if (skip) skipped++;
            else
            {
                optimizer.step();
                recentNorms.Enqueue(norm);
                if (recentNorms.Count > 50) recentNorms.Dequeue();
            }
            lastLoss = stepLoss;

            int done = step + 1;
            if (done % config.LogEvery == 0 || done == config.Steps || skip || emptyHere > 0)
            {
                double seconds = stepClock.Elapsed.TotalSeconds;
                var elapsed = clock.Elapsed;
                var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(1, done - start) * (config.Steps - done));
                var progress = new TrainingProgress(done, config.Steps, stepLoss, Groups.Count > 0 ? optimizerGroups[^1].LearningRate : 0, norm,
                    tokens / Math.Max(seconds, 1e-9), dataSeconds / Math.Max(seconds, 1e-9), elapsed, remaining, skip,
                    Extra(terms));
                history.Add(progress);
                log.WriteLine(JsonSerializer.Serialize(new
                {
                    step = done, loss = stepLoss, lr = config.LearningRate * factor, grad_norm = norm, tokens_per_s = progress.TokensPerSecond,
                    data_fraction = progress.DataFraction, elapsed_s = elapsed.TotalSeconds, skipped = skip, empty_batches = emptyHere,
                    rss_mb = Environment.WorkingSet / 1e6, extra = progress.Extra,
                }, LogJson));
                Progress?.Invoke(progress);
            }
            bool stop = cancel.IsCancellationRequested;
            if (Evaluate is not null && ((config.EvalEvery > 0 && done % config.EvalEvery == 0) || done == config.Steps))
            {
                var evaluationClock = Stopwatch.StartNew();
                var metrics = Evaluate(done);
                EvaluationTime += evaluationClock.Elapsed;
                log.WriteLine(JsonSerializer.Serialize(new { step = done, eval = metrics }, LogJson));
                Evaluated?.Invoke(done, metrics);
                stop |= StopWhen?.Invoke(metrics) == true;
            }
            if ((config.CheckpointEvery > 0 && done % config.CheckpointEvery == 0) || done == config.Steps || stop)
                checkpoint = store.Save(done, model, optimizer, data.Position, CheckpointFiles);
            if (stop) return new TrainingResult(done, lastLoss, history, checkpoint, skipped, empty, Interrupted: cancel.IsCancellationRequested && done < config.Steps);
        }
        return new TrainingResult(config.Steps, lastLoss, history, checkpoint, skipped, empty);
    }

    // the logged extras: the caller's numbers and each loss term averaged over the micro-batches that had it
    private Dictionary<string, double> Extra(Dictionary<string, (double Sum, int Count)> terms)
    {
        var extra = new Dictionary<string, double>(ExtraMetrics?.Invoke() ?? new Dictionary<string, double>());
        foreach (var (name, (sum, n)) in terms) extra[name] = sum / n;
        return extra;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
