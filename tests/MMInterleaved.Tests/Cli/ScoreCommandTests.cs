using System.Text.Json;
using MMInterleaved.Cli;
using MMInterleaved.Tests.Data;
using MMInterleaved.Tests.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Cli;

/// <summary>`mmi score captions|vqa` on the fixture files. Console is process-global, hence the sequential collection.</summary>
[Collection(TorchCollection.Name)]
public sealed class ScoreCommandTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static (int Code, string Output, string Error) Mmi(params string[] args) => CliRunner.Mmi(args);

    [Fact]
    public void Captions_prints_the_toolkits_scores_as_json()
    {
        var (code, output, error) = Mmi("score", "captions",
            "--predictions", MetricFixtures.CaptionPredictions, "--references", MetricFixtures.CaptionReferences);
        Assert.True(code == 0, error);
        var scores = JsonSerializer.Deserialize<Dictionary<string, double>>(output)!;
        var expected = MetricFixtures.ExpectedCaptions();
        Assert.Equal(["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "CIDEr"], scores.Keys);
        foreach (var (name, value) in expected) Assert.True(Math.Abs(value - scores[name]) <= 1e-9, $"{name}: {scores[name]} vs {value}");
    }

    [Fact]
    public void Vqa_prints_overall_per_question_and_per_type_accuracies()
    {
        var (code, output, error) = Mmi("score", "vqa", "--predictions", MetricFixtures.VqaPredictions,
            "--questions", MetricFixtures.VqaQuestions, "--annotations", MetricFixtures.VqaAnnotations);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var (overall, perQuestion) = MetricFixtures.ExpectedVqa();
        Assert.Equal(overall, root.GetProperty("overall").GetDouble());
        var printed = root.GetProperty("per_question").EnumerateObject().ToDictionary(p => long.Parse(p.Name), p => p.Value.GetDouble());
        Assert.Equal(perQuestion, printed);
        Assert.Equal(33.23, root.GetProperty("per_question_type").GetProperty("is the").GetDouble());
        Assert.Equal(32.27, root.GetProperty("per_answer_type").GetProperty("number").GetDouble());
    }

    [Fact]
    public void Vqa_with_extract_answer_shortens_the_predictions()
    {
        // Extraction lower-cases and cuts at "!" and ",": e.g. "blue!" becomes "blue" before scoring.
        var (code, output, _) = Mmi("score", "vqa", "--predictions", MetricFixtures.VqaPredictions,
            "--questions", MetricFixtures.VqaQuestions, "--annotations", MetricFixtures.VqaAnnotations, "--extract-answer");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        // The same as MM-Interleaved's vqa_eval(use_extract_answer=True) on these files (checked with its Python code).
        Assert.Equal(29.51, json.RootElement.GetProperty("overall").GetDouble());
    }

    [Fact]
    public void A_malformed_file_exits_with_2_and_names_the_file()
    {
        string bad = folder.File("predictions.json");
        File.WriteAllText(bad, """[{"image_id": 1, "caption": "a"}, {"image_id": 1, "caption": "b"}]""");
        var (code, output, error) = Mmi("score", "captions", "--predictions", bad, "--references", MetricFixtures.CaptionReferences);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("mmi: ", error);
        Assert.Contains(bad, error);
        Assert.Contains("second prediction", error);
    }

    [Fact]
    public void A_file_that_is_not_json_exits_with_2_and_names_the_file()
    {
        string bad = folder.File("annotations.json");
        File.WriteAllText(bad, "not json");
        var (code, _, error) = Mmi("score", "vqa", "--predictions", MetricFixtures.VqaPredictions,
            "--questions", MetricFixtures.VqaQuestions, "--annotations", bad);
        Assert.Equal(2, code);
        Assert.Contains(bad, error);
        Assert.Contains("malformed JSON", error);
    }

    [Fact]
    public void Help_explains_the_file_formats()
    {
        var (code, output, _) = Mmi("score", "vqa", "--help");
        Assert.Equal(0, code);
        Assert.Contains("answer_type", output);
        Assert.Contains("question_id", output);
        (code, output, _) = Mmi("score", "captions", "--help");
        Assert.Equal(0, code);
        Assert.Contains("image_id", output);
        Assert.Contains("annotations", output);
    }

    [Fact]
    public void Images_with_a_missing_reference_exits_with_2_naming_the_image()
    {
        string generated = Directory.CreateDirectory(folder.File("generated")).FullName;
        string references = Directory.CreateDirectory(folder.File("references")).FullName;
        using (var image = TorchSharp.torch.zeros(3, 8, 8))
        {
            File.WriteAllBytes(Path.Combine(generated, "a.png"), MMInterleaved.Data.Images.ImageTensors.EncodePng(image));
            File.WriteAllBytes(Path.Combine(generated, "b.png"), MMInterleaved.Data.Images.ImageTensors.EncodePng(image));
            File.WriteAllBytes(Path.Combine(references, "a.png"), MMInterleaved.Data.Images.ImageTensors.EncodePng(image));
        }
        var (code, _, error) = Mmi("score", "images", "--generated", generated, "--references", references);
        Assert.Equal(2, code);
        Assert.Contains("'b'", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
