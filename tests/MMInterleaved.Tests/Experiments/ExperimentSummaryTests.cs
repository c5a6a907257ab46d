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

    [Theory]
    [InlineData(5.0, 2.0, "reproduced")]
    [InlineData(3.0, 2.0, "inconclusive")]
    [InlineData(-5.0, 2.0, "not reproduced")]
    [InlineData(5.0, double.NaN, "inconclusive")]
    public void A_difference_counts_only_beyond_two_standard_errors(double difference, double se, string verdict) =>
        Assert.Equal(verdict, ComparisonVerdict.Judge(difference, se));

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
            Run("no-mmfs-64", 1, 42, 51, 220, (5, 110, 22), (10, 220, 42)),
            Run("no-mmfs-64", 2, 44, 52, 180, (5, 90, 24), (10, 180, 44)),
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
        var attributes = result.Verdicts.Single(v => v.Metric == AblationMetrics.Attributes);
        Assert.Equal(20, attributes.Difference, 12);
        Assert.Equal(Math.Sqrt(4.0 / 3 + 4.0 / 3), attributes.StandardError, 12);
        Assert.Equal("reproduced", attributes.Verdict);
        var reading = result.Verdicts.Single(v => v.Metric == AblationMetrics.Reading);
        Assert.Equal("inconclusive", reading.Verdict);                         // 52 vs 51 ± 1.4
        Assert.Equal("reproduced", result.Verdict);                            // the one comparison wins on one metric, loses on none
    }

    [Fact]
    public void A_comparison_that_goes_the_other_way_makes_the_experiment_not_reproduced_and_one_seed_is_inconclusive()
    {
        var experiment = AblationCatalog.TokenEfficiency;
        var runs = Enumerable.Range(0, 3).SelectMany(s => new[]
        {
            Run("mmfs-8", s, 40 + s, 50, 100, (10, 100, 40)),
            Run("no-mmfs-64", s, 60 + s, 50, 100, (10, 100, 60)),
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
        Assert.Equal(AblationCatalog.SweepTokens.Count * 2, sweep.Variants.Count);
        // every count is compared with and without MMFS
        Assert.All(AblationCatalog.SweepTokens, k => Assert.Contains(($"mmfs-{k}", $"no-mmfs-{k}"), sweep.Comparisons));
        var runs = sweep.Variants.SelectMany(v => new[] { 0L, 1L }.Select(seed =>
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
