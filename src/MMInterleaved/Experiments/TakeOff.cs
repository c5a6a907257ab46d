namespace MMInterleaved.Experiments;

/// <summary>
/// Whether a run learned to read a named cell at all (issue 17, item 5): MMFS's reading accuracy is bimodal over seeds at
/// this scale (a run either learns to address the asked cell, reaching 40–93 %, or stays at the answer prior), so a mean
/// over seeds mixes two questions. A run <em>took off</em> when its accuracy on <see cref="Metric"/> is more than
/// <see cref="Margin"/> points above the text-only run of the same seed (the answer prior on the same questions; about 6 %
/// for the glyph in a cell). With 2000 Test questions about 600 are reading questions, so 10 points is about ten binomial
/// standard errors of the prior: a run above it reads, a run below it is at most at a weak start. The report gives the
/// take-off rate and the accuracy of the runs that took off beside the mean over all seeds.
/// </summary>
public static class TakeOff
{
    /// <summary>The metric take-off is judged on: reading the glyph in a named cell.</summary>
    public const string Metric = AblationMetrics.Reading;

    /// <summary>Points of <see cref="Metric"/> above the same seed's text-only run that count as taking off.</summary>
    public const double Margin = 10;

    /// <summary>Whether <paramref name="run"/> took off against <paramref name="prior"/> (the same seed's text-only run);
    /// null when either lacks the metric.</summary>
    public static bool? Of(RunRecord run, RunRecord prior) =>
        run.Metrics.TryGetValue(Metric, out double own) && prior.Metrics.TryGetValue(Metric, out double floor) && double.IsFinite(own) && double.IsFinite(floor)
            ? own - floor > Margin
            : null;

    /// <summary>Every arm but the text-only one, over the seeds that also have a text-only run; empty when the experiment
    /// has no text-only arm or does not score <see cref="Metric"/>.</summary>
    public static IReadOnlyList<ArmTakeOff> Summarise(ExperimentResult result)
    {
        var priors = result.Runs.Where(r => r.Variant == AblationVariant.TextOnlyName).ToDictionary(r => r.Seed);
        var arms = new List<ArmTakeOff>();
        foreach (var summary in result.Summary.Where(v => v.Variant != AblationVariant.TextOnlyName))
        {
            var judged = result.Runs.Where(r => r.Variant == summary.Variant && priors.ContainsKey(r.Seed))
                .Select(r => (Run: r, Took: Of(r, priors[r.Seed]))).Where(x => x.Took is not null).ToList();
            if (judged.Count == 0) continue;
            arms.Add(new ArmTakeOff(summary.Variant, summary.Label, judged.Count(x => x.Took == true), judged.Count,
                MetricSummary.Of(judged.Where(x => x.Took == true).Select(x => x.Run.Metrics[Metric])),
                MetricSummary.Of(judged.Where(x => x.Took == false).Select(x => x.Run.Metrics[Metric]))));
        }
        return arms;
    }
}
