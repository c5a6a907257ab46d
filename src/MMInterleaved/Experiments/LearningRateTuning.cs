using System.Globalization;

namespace MMInterleaved.Experiments;

/// <summary>
/// The tuning every trained arm gets before its seeds are run (issue 17: the MMFS recipe was tuned until MMFS learned, the
/// baselines were not): one run per rate of <see cref="ExperimentSettings.LearningRateGrid"/> with the tuning seed (not one
/// of the reported seeds), each the full number of steps; the rate whose run ends highest on the Validation learning curve
/// is the arm's rate for every reported seed. The Test split is not looked at: tuning runs are not scored on it.
/// </summary>
public static class LearningRateTuning
{
    /// <summary>Learning-curve points averaged for the choice: the last two (a single 300-question point has an SE near 3
    /// points; two halve the variance of the choice without reaching back into the climb).</summary>
    public const int LastPoints = 2;

    /// <summary>What a tuning run is judged by: the mean of its last <see cref="LastPoints"/> Validation curve points (NaN
    /// when it has none).</summary>
    public static double Score(RunRecord run) =>
        run.Curve.Count == 0 ? double.NaN : run.Curve.TakeLast(LastPoints).Average(p => p.Accuracy);

    /// <summary>The rate of the best-scoring run of <paramref name="runs"/> (an arm's tuning runs); a tie goes to the rate
    /// listed first in <paramref name="grid"/>, a run without a score never wins.</summary>
    public static double Choose(IReadOnlyList<RunRecord> runs, IReadOnlyList<double> grid)
    {
        if (runs.Count == 0) throw new ArgumentException("no tuning runs to choose a learning rate from.");
        double Rate(RunRecord run) => run.LearningRate ?? throw new ArgumentException($"tuning run {run.Variant} seed {run.Seed} records no learning rate.");
        return runs.OrderByDescending(r => double.IsNaN(Score(r)) ? double.NegativeInfinity : Score(r))
            .ThenBy(r => grid.ToList().IndexOf(Rate(r)) is var i && i >= 0 ? i : int.MaxValue).Select(Rate).First();
    }

    /// <summary>Whether <paramref name="variant"/> is tuned: a trained arm without its own fixed rate (the text-only arm
    /// measures the answer prior, which any rate that trains reaches, so it keeps the settings' rate).</summary>
    public static bool IsTuned(AblationVariant variant, ExperimentSettings settings) =>
        settings.LearningRateGrid.Count > 0 && !variant.TextOnly && variant.LearningRate is null;

    /// <summary>The run folder name of <paramref name="variant"/>'s tuning run at <paramref name="rate"/>.</summary>
    public static string FolderName(AblationVariant variant, double rate, long seed) =>
        $"{variant.Name}-lr{rate.ToString("0.####e0", CultureInfo.InvariantCulture)}-tune-seed{seed}";
}
