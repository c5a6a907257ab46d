using MMInterleaved.Data;
using MMInterleaved.Data.Tasks;
using MMInterleaved.Experiments;
using MMInterleaved.Tests.Data;
using Xunit;

namespace MMInterleaved.Tests.Experiments;

public sealed class ExperimentSummaryTests
{
    private static RunRecord Run(string variant, long seed, double attributes, double reading, double seconds, params (int Step, double Seconds, double Accuracy)[] curve) =>
        new(variant, seed, 10, seconds, 100, 1000,
            new Dictionary<string, double> { [AblationMetrics.Attributes] = attributes, [AblationMetrics.Reading] = reading, [AblationMetrics.Overall] = (attributes + reading) / 2 },
            curve.Select(c => new CurvePoint(c.Step, c.Seconds, c.Accuracy)).ToList());

    [Fact]
    public void Accuracy_at_a_training_time_interpolates_the_learning_curve()
    {
        var curve = new[] { new CurvePoint(5, 10, 20), new CurvePoint(10, 30, 60) };
        Assert.Equal(20, ExperimentRunner.AccuracyAt(curve, 4));
        Assert.Equal(40, ExperimentRunner.AccuracyAt(curve, 20), 12);
        Assert.Equal(60, ExperimentRunner.AccuracyAt(curve, 99));
        Assert.True(double.IsNaN(ExperimentRunner.AccuracyAt([], 1)));
    }

    // Student t with 2 degrees of freedom has a closed form, P(T ≥ t) = 1/2 − t / (2√(2 + t²)): an independent check of
    // the paired test's p at 3 seeds
    private static double StudentTwoDfUpper(double t) => 0.5 - t / (2 * Math.Sqrt(2 + t * t));

    [Fact]
    public void A_paired_comparison_tests_the_per_seed_differences_with_student_t_and_the_exact_sign_flip()
    {
        var v = ComparisonVerdict.Paired("a", "b", AblationMetrics.Reading,
            new Dictionary<long, double> { [0] = 11, [1] = 12, [2] = 13, [7] = 99 },      // seed 7 has no partner: left out
            new Dictionary<long, double> { [0] = 10, [1] = 10, [2] = 10 });
        Assert.Equal(3, v.Seeds);
        Assert.Equal(2, v.Difference, 12);                                                 // differences 1, 2, 3
        Assert.Equal(1 / Math.Sqrt(3), v.StandardError, 12);                               // SD 1 over √3
        Assert.Equal(2 * Math.Sqrt(3), v.T, 9);
        Assert.Equal(StudentTwoDfUpper(2 * Math.Sqrt(3)), v.OneSidedP, 9);                 // 0.037
        Assert.Equal(v.OneSidedP, v.HolmP, 12);                                            // a family of one
        Assert.Equal(1.0 / 8, v.SignFlipP, 12);                                            // only +1+2+3 reaches 6 of 2³ assignments
        Assert.Equal("reproduced", v.Verdict);
        Assert.Contains("paired", ComparisonVerdict.Test);
        // 3, −1, 2: sums of ±3 ±1 ±2 at least 4 are 6 and 4, two of eight
        Assert.Equal(2.0 / 8, SignFlipTest.OneSidedP([3, -1, 2]), 12);
        // the same difference in every seed has no spread: the t-test is undefined and decides nothing
        var flat = ComparisonVerdict.Paired("a", "b", "m", new Dictionary<long, double> { [0] = 5, [1] = 6 }, new Dictionary<long, double> { [0] = 4, [1] = 5 });
        Assert.Equal("inconclusive", flat.Verdict);
        Assert.Contains("no spread", flat.Evidence());
        Assert.Equal("inconclusive", ComparisonVerdict.Paired("a", "b", "m", new Dictionary<long, double> { [0] = 5 }, new Dictionary<long, double> { [0] = 1 }).Verdict);
    }

    [Fact]
    public void Holm_multiplies_the_kth_smallest_of_m_p_values_by_m_minus_k_plus_1_and_keeps_them_monotone()
    {
        // sorted 0.01, 0.03, 0.04 → 0.03, 0.06, max(0.06, 0.04) = 0.06; NaN counts as 1
        Assert.Equal([0.03, 0.06, 0.06], ComparisonVerdict.HolmAdjusted([0.01, 0.04, 0.03]).Select(p => Math.Round(p, 12)));
        Assert.Equal([0.02, 1.0], ComparisonVerdict.HolmAdjusted([0.01, double.NaN]).Select(p => Math.Round(p, 12)));
        // a p of 0.03 reproduces alone but not beside a second metric at 0.2 (0.06 after correction)
        var alone = new ComparisonVerdict("a", "b", "m1", 1, 1, "?") { OneSidedP = 0.03, OppositeP = 0.97 };
        Assert.Equal("reproduced", ComparisonVerdict.Holm([alone])[0].Verdict);
        var pair = ComparisonVerdict.Holm([alone, alone with { Metric = "m2", OneSidedP = 0.2, OppositeP = 0.8 }]);
        Assert.All(pair, v => Assert.Equal("inconclusive", v.Verdict));
        Assert.Equal(0.06, pair[0].HolmP, 12);
        Assert.All(pair, v => Assert.Equal(2, v.Family));
    }

    [Fact]
    public void Summaries_are_seed_means_and_sample_deviations_and_the_verdict_follows_the_paper_direction()
    {
        var experiment = AblationCatalog.TokenEfficiency;
        var runs = new List<RunRecord>
        {
            Run("mmfs-8", 0, 60, 50, 100, (5, 50, 30), (10, 100, 60)),
            Run("mmfs-8", 1, 62, 54, 110, (5, 55, 32), (10, 110, 62)),
            Run("mmfs-8", 2, 64, 52, 90, (5, 45, 34), (10, 90, 64)),
            Run("no-mmfs-64", 0, 40, 50, 200, (5, 100, 20), (10, 200, 40)),
            Run("no-mmfs-64", 1, 43, 51, 220, (5, 110, 22), (10, 220, 42)),
            Run("no-mmfs-64", 2, 43, 52, 180, (5, 90, 24), (10, 180, 44)),
        };
        var result = ExperimentRunner.Summarise(experiment, ExperimentSettings.Full, runs, "test");
        var few = result.Summary.Single(s => s.Variant == "mmfs-8");
        Assert.Equal(62, few.Metrics[AblationMetrics.Attributes].Mean, 12);
        Assert.Equal(2, few.Metrics[AblationMetrics.Attributes].Std, 12);     // sample deviation of 60, 62, 64
        Assert.Equal(3, few.Metrics[AblationMetrics.Attributes].N);
        Assert.Equal(100, result.EqualTimeSeconds, 12);                        // the faster variant's mean training time
        // at 100 s the slow runs are at: before their first point (20; 22) and a ninth into their first segment (24 → 44)
        var many = result.Summary.Single(s => s.Variant == "no-mmfs-64");
        Assert.Equal((20 + 22 + (24 + 20.0 * 10 / 90)) / 3, many.AtEqualTime.Mean, 9);
        // paired by seed: attribute differences 20, 19, 21 (SE 1/√3), reading differences 0, 3, 0 (t = 1), Holm over the two
        var attributes = result.Verdicts.Single(v => v.Metric == AblationMetrics.Attributes);
        Assert.Equal(20, attributes.Difference, 12);
        Assert.Equal(1 / Math.Sqrt(3), attributes.StandardError, 12);
        Assert.Equal(2 * StudentTwoDfUpper(20 * Math.Sqrt(3)), attributes.HolmP, 9);
        Assert.Equal("reproduced", attributes.Verdict);
        var reading = result.Verdicts.Single(v => v.Metric == AblationMetrics.Reading);
        Assert.Equal(StudentTwoDfUpper(1), reading.HolmP, 9);                  // the larger p: max(its own × 1, the smaller's × 2)
        Assert.Equal("inconclusive", reading.Verdict);
        Assert.Equal("reproduced", result.Verdict);                            // the one comparison wins on one metric, loses on none
        Assert.Contains("paired t-test", result.VerdictReason);
        Assert.Contains("paired t-test", ExperimentReport.Markdown(result));
    }

    [Fact]
    public void A_run_takes_off_when_it_reads_more_than_the_margin_above_its_seeds_text_only_run_and_the_report_splits_the_arms_by_it()
    {
        var runs = new List<RunRecord>
        {
            Run(AblationVariant.TextOnlyName, 0, 20, 6, 50), Run(AblationVariant.TextOnlyName, 1, 20, 8, 50), Run(AblationVariant.TextOnlyName, 2, 20, 6, 50),
            Run("mmfs-8", 0, 60, 80, 100), Run("mmfs-8", 1, 60, 18.5, 100), Run("mmfs-8", 2, 60, 60, 100),   // 74, 10.5, 54 above
            Run("no-mmfs-64", 0, 30, 16, 100), Run("no-mmfs-64", 1, 30, 9, 100), Run("no-mmfs-64", 2, 30, 7, 100), // 10 exactly is not more
            Run("mmfs-8", 7, 60, 90, 100),                                                     // no text-only run of seed 7: not judged
        };
        Assert.True(TakeOff.Of(runs[3], runs[0]));
        Assert.False(TakeOff.Of(runs[6], runs[0]));
        var result = ExperimentRunner.Summarise(AblationCatalog.TokenEfficiency, ExperimentSettings.Full with { Seeds = [0, 1, 2, 7] }, runs, "test");
        var arms = TakeOff.Summarise(result);
        Assert.DoesNotContain(arms, a => a.Variant == AblationVariant.TextOnlyName);
        var mmfs = arms.Single(a => a.Variant == "mmfs-8");
        Assert.Equal((3, 3), (mmfs.TookOff, mmfs.Seeds));
        Assert.Equal((80 + 18.5 + 60) / 3, mmfs.WhenTookOff.Mean, 12);
        Assert.Equal(0, mmfs.Otherwise.N);
        var blind = arms.Single(a => a.Variant == "no-mmfs-64");
        Assert.Equal((0, 3), (blind.TookOff, blind.Seeds));
        Assert.Equal(32.0 / 3, blind.Otherwise.Mean, 12);
        string markdown = ExperimentReport.Markdown(result);
        Assert.Contains("**Take-off.**", markdown);
        Assert.Contains("| 3 of 3 |", markdown);
        Assert.Contains("| 0 of 3 | – |", markdown);
        // without a text-only arm there is nothing to judge against
        Assert.Empty(TakeOff.Summarise(ExperimentRunner.Summarise(AblationCatalog.TokenEfficiency, ExperimentSettings.Full, runs.Where(r => r.Variant != AblationVariant.TextOnlyName).ToList(), "test")));
    }

    [Fact]
    public void The_summary_counts_a_shared_run_once_and_names_the_experiment_it_comes_from()
    {
        var runs = new List<RunRecord>
        {
            Run("deformable", 0, 60, 50, 100) with { ReusedFrom = "token-efficiency/mmfs-8" },
            Run(AblationVariant.TextOnlyName, 0, 20, 6, 50) with { ReusedFrom = "token-efficiency/text-only" },
            Run("dense-maps", 0, 40, 10, 100), Run("dense-tokens", 0, 40, 10, 100),
        };
        var result = ExperimentRunner.Summarise(AblationCatalog.CrossAttentionKinds, ExperimentSettings.Full with { Seeds = [0] }, runs, "test");
        string summary = ExperimentReport.SummaryMarkdown([result]);
        Assert.Contains("| 2 + 2 shared with token-efficiency |", summary);
        Assert.Contains("`deformable` is `token-efficiency/mmfs-8`", summary);         // the report's cross-reference
    }

    [Fact]
    public void A_comparison_that_goes_the_other_way_makes_the_experiment_not_reproduced_and_one_seed_is_inconclusive()
    {
        var experiment = AblationCatalog.TokenEfficiency;
        var runs = Enumerable.Range(0, 3).SelectMany(s => new[]
        {
            Run("mmfs-8", s, 40 + s, 50, 100, (10, 100, 40)),
            Run("no-mmfs-64", s, 60 + 2 * s, 50, 100, (10, 100, 60)),
        }).ToList();
        var result = ExperimentRunner.Summarise(experiment, ExperimentSettings.Full, runs, "test");
        Assert.Equal("not reproduced", result.Verdict);
        Assert.Contains("mmfs-8 vs no-mmfs-64", result.VerdictReason);
        var single = ExperimentRunner.Summarise(experiment, ExperimentSettings.Full with { Seeds = [0] }, runs.Where(r => r.Seed == 0).ToList(), "test");
        Assert.Equal("inconclusive", single.Verdict);
    }

    [Fact]
    public void Results_round_trip_through_json_and_a_bad_file_names_itself()
    {
        using var folder = new TempFolder();
        var runs = new List<RunRecord> { Run("mmfs-8", 0, 60, 50, 100, (10, 100, 60)), Run("no-mmfs-64", 0, 40, 50, 200, (10, 200, 40)) };
        var result = ExperimentRunner.Summarise(AblationCatalog.TokenEfficiency, ExperimentSettings.Full with { Seeds = [0] }, runs, "mmi reproduce token-efficiency");
        ExperimentReport.Write(result, folder.Path);
        var loaded = ExperimentResult.Load(folder.File("token-efficiency.json"));
        Assert.Equal(result.ToJson(), loaded.ToJson());
        string markdown = File.ReadAllText(folder.File("token-efficiency.md"));
        Assert.Contains("110.6", markdown);                                    // the paper's number, beside ours
        Assert.Contains("60.0", markdown);
        Assert.Contains("<script>", File.ReadAllText(folder.File("token-efficiency.html"))); // plotly.js inlined
        File.WriteAllText(folder.File("bad.json"), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => ExperimentResult.Load(folder.File("bad.json")));
        Assert.Contains("bad.json", e.Message);
    }

    [Fact]
    public void The_token_sweep_charts_each_series_over_the_token_counts_on_a_log_axis_and_other_experiments_get_no_such_chart()
    {
        var sweep = AblationCatalog.TokenSweep;
        Assert.Equal(AblationCatalog.SweepTokens.Count * 2 + 1, sweep.Variants.Count);     // and the text-only arm
        // every count is compared with and without MMFS
        Assert.All(AblationCatalog.SweepTokens, k => Assert.Contains(($"mmfs-{k}", $"no-mmfs-{k}"), sweep.Comparisons));
        var runs = sweep.Variants.Where(v => !v.TextOnly).SelectMany(v => new[] { 0L, 1L }.Select(seed =>
            Run(v.Name, seed, v.Series == "MMFS" ? 70 + seed : 10 + v.NumImageTokens!.Value / 8.0, 33 + seed, 100, (10, 100, 50)))).ToList();
        var result = ExperimentRunner.Summarise(sweep, ExperimentSettings.Full with { Seeds = [0, 1] }, runs, "test");
        string json = Plotly.NET.GenericChart.toChartHTML(ExperimentReport.TokenChart(result)!);
        Assert.Contains("\"type\":\"log\"", json);
        Assert.Contains("no MMFS: reading a cell", json);
        // the no-MMFS attribute line: means 10.25, 11, 18 at 2, 8, 64 tokens, in token order
        Assert.Contains("\"x\":[2,8,64],\"y\":[10.25,11.0,18.0]", json.Replace(" ", ""));
        Assert.Null(ExperimentReport.TokenChart(ExperimentRunner.Summarise(AblationCatalog.TokenEfficiency, ExperimentSettings.Full with { Seeds = [0] },
            [Run("mmfs-8", 0, 60, 50, 100, (10, 100, 60))], "test")));
    }

    [Theory]
    [InlineData("glyph-caption", 0)]   // token-efficiency-caption: a whole row-by-row detail caption
    [InlineData("glyph-fewshot", 2)]   // in-context-training: two solved examples and the query
    public void The_new_training_documents_fit_the_small_presets_window_uncut(string task, int shots)
    {
        var settings = ExperimentSettings.Full;
        var options = new GridTaskOptions(0, DataSplit.Train) { CaptionStyle = GridCaptionStyle.Rows, Shots = Math.Max(shots, 2) };
        var documents = GridTasks.Create(task, options).Take(60).ToList();
        var tokenizer = MMInterleaved.Data.Text.WordTokenizer.FromCorpus(
            documents.SelectMany(d => d.Segments.OfType<TextSegment>().Select(t => t.Text)), 512, keepMostFrequent: true);
        var builder = new MMInterleaved.Data.Sequences.SequenceBuilder(tokenizer, AblationCatalog.FewTokens);
        int window = AblationRun.WindowLength(settings, AblationCatalog.FewTokens, new AblationTraining(task == "glyph-caption" ? AblationExperiment.CaptionTask : AblationExperiment.VqaTask, FewShotShots: shots));
        Assert.Equal(task == "glyph-caption" ? 97 : 115, window);   // the VQA window (88 + 1 + 8) is unchanged
        Assert.All(documents.Select((d, i) => builder.Build(d, i).Length), length => Assert.InRange(length, 20, window));
    }

    [Fact]
    public void A_mixed_source_follows_its_pattern_and_counts_each_source_separately()
    {
        var a = GridTasks.Create("glyph-vqa", new GridTaskOptions(1));
        var b = GridTasks.Create("glyph-caption", new GridTaskOptions(1));
        var mixed = new MixedDocumentSource("mix", [a, b], [0, 0, 1]);
        Assert.Equal(a.Get(0).Id, mixed.Get(0).Id);
        Assert.Equal(a.Get(1).Id, mixed.Get(1).Id);
        Assert.Equal(b.Get(0).Id, mixed.Get(2).Id);
        Assert.Equal(a.Get(2).Id, mixed.Get(3).Id);
        Assert.Equal(b.Get(3).Id, mixed.Get(11).Id);
        Assert.Throws<ArgumentException>(() => new MixedDocumentSource("bad", [a], [1]));
    }
}
