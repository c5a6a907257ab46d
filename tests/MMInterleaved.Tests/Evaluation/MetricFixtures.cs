using System.Text.Json;

namespace MMInterleaved.Tests.Evaluation;

/// <summary>The metric fixtures scored by the official toolkits (Fixtures/metrics, see its README.md).</summary>
internal static class MetricFixtures
{
    public static string Folder => Path.Combine(RepositoryPaths.TestFixtures, "metrics");

    public static string File(string name) => Path.Combine(Folder, name);

    public static string CaptionReferences => File("captions_references.json");
    public static string CaptionPredictions => File("captions_predictions.json");
    public static string VqaQuestions => File("vqa_questions.json");
    public static string VqaAnnotations => File("vqa_annotations.json");
    public static string VqaPredictions => File("vqa_predictions.json");

    /// <summary>captions_expected.json: metric name → value.</summary>
    public static Dictionary<string, double> ExpectedCaptions() =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(System.IO.File.ReadAllText(File("captions_expected.json")))!;

    /// <summary>vqa_expected.json: overall and question id → accuracy.</summary>
    public static (double Overall, Dictionary<long, double> PerQuestion) ExpectedVqa()
    {
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(File("vqa_expected.json")));
        var perQuestion = json.RootElement.GetProperty("per_question").EnumerateObject()
            .ToDictionary(p => long.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetDouble());
        return (json.RootElement.GetProperty("overall").GetDouble(), perQuestion);
    }
}
