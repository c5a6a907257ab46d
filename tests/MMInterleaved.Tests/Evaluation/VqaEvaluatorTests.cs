using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class VqaEvaluatorTests
{
    private static VqaAnnotation Question(params string[] answers) =>
        new(1, 1, "what color", "other", answers.Select((a, i) => new VqaHumanAnswer(a, $"answer_id={i + 1};")).ToArray());

    private static double Accuracy(string prediction, params string[] answers) => VqaEvaluator.QuestionAccuracy(Question(answers), prediction);

    [Fact]
    public void Fixture_overall_and_every_question_equal_the_official_script()
    {
        var result = VqaFiles.Evaluate(MetricFixtures.VqaQuestions, MetricFixtures.VqaAnnotations, MetricFixtures.VqaPredictions);
        var (overall, perQuestion) = MetricFixtures.ExpectedVqa();
        Assert.Equal(overall, result.Overall);
        Assert.Equal(perQuestion.Count, result.PerQuestion.Count);
        foreach (var (id, accuracy) in perQuestion) Assert.True(accuracy == result.PerQuestion[id], $"question {id}: {result.PerQuestion[id]} vs {accuracy}");
    }

    [Fact]
    public void Fixture_breakdowns_by_type()
    {
        var result = VqaFiles.Evaluate(MetricFixtures.VqaQuestions, MetricFixtures.VqaAnnotations, MetricFixtures.VqaPredictions);
        // Computed with the official script's setAccuracy on the same data.
        Assert.Equal(new Dictionary<string, double> { ["is the"] = 33.23, ["how many"] = 21.87, ["what color"] = 32.14 }, result.PerQuestionType);
        Assert.Equal(new Dictionary<string, double> { ["other"] = 26.25, ["yes/no"] = 32.67, ["number"] = 32.27 }, result.PerAnswerType);
    }

    [Fact]
    public void Accuracy_is_min_one_matches_over_three_averaged_over_the_leave_one_out_subsets()
    {
        string[] tenBlue = Enumerable.Repeat("blue", 10).ToArray();
        Assert.Equal(1.0, Accuracy("blue", tenBlue));
        // One matching human answer: 9 of the 10 subsets still hold it → 9 · (1/3) / 10 = 0.3.
        Assert.Equal(0.3, Accuracy("red", ["red", .. Enumerable.Repeat("blue", 9)]), 1e-15);
        // Two: 2 subsets with one match, 8 with two → (2/3 + 16/3) / 10 = 0.6.
        Assert.Equal(0.6, Accuracy("red", ["red", "red", .. Enumerable.Repeat("blue", 8)]), 1e-15);
        // Three: 3 subsets with two matches, 7 with three → (3 · 2/3 + 7) / 10 = 0.9.
        Assert.Equal(0.9, Accuracy("red", ["red", "red", "red", .. Enumerable.Repeat("blue", 7)]), 1e-15);
        Assert.Equal(1.0, Accuracy("red", ["red", "red", "red", "red", .. Enumerable.Repeat("blue", 6)]));
        Assert.Equal(0.0, Accuracy("green", ["red", .. Enumerable.Repeat("blue", 9)]));
    }

    [Fact]
    public void Normalises_only_when_the_human_answers_disagree()
    {
        // Unanimous "Blue!": compared verbatim, so "blue" misses and "Blue!" hits.
        Assert.Equal(0.0, Accuracy("blue", Enumerable.Repeat("Blue!", 10).ToArray()));
        Assert.Equal(1.0, Accuracy("Blue!", Enumerable.Repeat("Blue!", 10).ToArray()));
        // One dissenter: everything is normalised, and "blue" now matches the nine "Blue!".
        Assert.Equal(1.0, Accuracy("blue", ["red", .. Enumerable.Repeat("Blue!", 9)]));
        Assert.Equal(1.0, Accuracy("the two", ["none", .. Enumerable.Repeat("2", 9)]));
    }

    [Fact]
    public void Newlines_tabs_and_outer_spaces_are_cleaned_before_comparing() =>
        Assert.Equal(1.0, Accuracy("  blue\n", Enumerable.Repeat("blue", 10).ToArray()));

    [Fact]
    public void Identical_records_leave_each_other_out()
    {
        // The script leaves out answers by record inequality: two records that are equal in every field (answer and
        // id) leave each other out as well.
        var distinct = new VqaAnnotation(1, 1, "t", "other", [new("x", "answer_id=1;"), new("x", "answer_id=2;"), new("y", "answer_id=3;")]);
        var twins = new VqaAnnotation(1, 1, "t", "other", [new("x", "answer_id=1;"), new("x", "answer_id=1;"), new("y", "answer_id=3;")]);
        Assert.Equal(4.0 / 9, VqaEvaluator.QuestionAccuracy(distinct, "x"), 1e-15);
        Assert.Equal(2.0 / 9, VqaEvaluator.QuestionAccuracy(twins, "x"), 1e-15);
    }

    [Fact]
    public void Reports_python_rounded_percentages_and_type_means()
    {
        var annotations = new[]
        {
            new VqaAnnotation(1, 1, "how many", "number", Question("2", "2", "3", "3", "3", "3", "3", "3", "3", "3").Answers),
            new VqaAnnotation(2, 1, "how many", "number", Question("x", "y", "z").Answers),
            new VqaAnnotation(3, 2, "what color", "other", Question("red", "red", "blue").Answers),
        };
        var result = VqaEvaluator.Evaluate(annotations, new Dictionary<long, string> { [1] = "2", [2] = "x", [3] = "red" });
        Assert.Equal(60.0, result.PerQuestion[1]);
        Assert.Equal(22.22, result.PerQuestion[2]);    // 2/9: leaving "x" out leaves no match, leaving "y" or "z" out one
        Assert.Equal(44.44, result.PerQuestion[3]);    // 4/9
        Assert.Equal(41.11, result.PerQuestionType["how many"]);  // round(100 · (0.6 + 2/9) / 2, 2)
        Assert.Equal(42.22, result.Overall);                     // round(100 · (0.6 + 2/9 + 4/9) / 3, 2)
        Assert.Equal(["number", "other"], result.PerAnswerType.Keys);
    }

    [Fact]
    public void Missing_and_unknown_predictions_name_the_question()
    {
        var annotations = new[] { Question("a") };
        Assert.Contains("Question id 1 has no prediction", Assert.Throws<ArgumentException>(() => VqaEvaluator.Evaluate(annotations, new Dictionary<long, string>())).Message);
        Assert.Contains("question id 5", Assert.Throws<ArgumentException>(() => VqaEvaluator.Evaluate(annotations, new Dictionary<long, string> { [1] = "a", [5] = "b" })).Message);
    }

    [Fact]
    public void Extract_answer_option_shortens_predictions_first()
    {
        var annotations = new[] { Question(Enumerable.Repeat("dog", 10).ToArray()) };
        var predictions = new Dictionary<long, string> { [1] = "The animal is a dog." };
        Assert.Equal(0.0, VqaEvaluator.Evaluate(annotations, predictions).Overall);
        Assert.Equal(100.0, VqaEvaluator.Evaluate(annotations, predictions, extractAnswer: true).Overall);
    }
}
