using System.Text.Json;
using MMInterleaved.Data;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Readers for the COCO caption evaluation files. Problems throw <see cref="DataFormatException"/> whose message
/// starts with the file at fault and says what is wrong.
/// <list type="bullet">
/// <item>references (COCO caption annotations): <c>{"images": [{"id"}], "annotations": [{"image_id", "id",
/// "caption"}]}</c>; every listed image is scored and needs at least one caption (annotation "id"s are not
/// needed);</item>
/// <item>predictions (COCO results): <c>[{"image_id", "caption"}]</c>, exactly one per listed image.</item>
/// </list>
/// </summary>
public static class CocoCaptionFiles
{
    /// <summary>Reads reference captions: image id → captions, in the order of "images".</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<string>> ReadReferences(string path)
    {
        using var document = JsonFields.Parse(path);
        var root = JsonFields.Root(document, JsonValueKind.Object, path, "an object with \"images\" and \"annotations\" arrays");
        var captions = new Dictionary<long, List<string>>();
        int i = 0;
        foreach (var image in JsonFields.Array(root, "images", "", path).EnumerateArray())
        {
            string where = $"images[{i++}]";
            long id = JsonFields.IntegerId(image, "id", where, path);
            if (!captions.TryAdd(id, [])) throw JsonFields.Fail(path, $"{where}.id {id} appears twice.");
        }
        i = 0;
        foreach (var annotation in JsonFields.Array(root, "annotations", "", path).EnumerateArray())
        {
            string where = $"annotations[{i++}]";
            long imageId = JsonFields.IntegerId(annotation, "image_id", where, path);
            string caption = JsonFields.String(annotation, "caption", where, path);
            if (!captions.TryGetValue(imageId, out var list))
                throw JsonFields.Fail(path, $"{where}.image_id {imageId} is not the id of any entry of \"images\".");
            list.Add(caption);
        }
        if (captions.Count == 0) throw JsonFields.Fail(path, "\"images\" is empty: there is nothing to score.");
        foreach (var (id, list) in captions)
            if (list.Count == 0) throw JsonFields.Fail(path, $"image id {id} has no caption in \"annotations\" (every listed image is scored).");
        return captions.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
    }

    /// <summary>Reads predictions: image id → caption, in file order.</summary>
    public static IReadOnlyDictionary<long, string> ReadPredictions(string path)
    {
        using var document = JsonFields.Parse(path);
        var root = JsonFields.Root(document, JsonValueKind.Array, path, "an array of {\"image_id\", \"caption\"} objects");
        var predictions = new Dictionary<long, string>();
        int i = 0;
        foreach (var item in root.EnumerateArray())
        {
            string where = $"[{i++}]";
            long id = JsonFields.IntegerId(item, "image_id", where, path);
            string caption = JsonFields.String(item, "caption", where, path);
            if (!predictions.TryAdd(id, caption)) throw JsonFields.Fail(path, $"{where}: image_id {id} has a second prediction (one caption per image).");
        }
        return predictions;
    }

    /// <summary>
    /// Reads both files and checks that they fit: every prediction is for an image with references, and every
    /// image with references has a prediction.
    /// </summary>
    public static (IReadOnlyDictionary<long, IReadOnlyList<string>> References, IReadOnlyDictionary<long, string> Predictions) Load(
        string referencesPath, string predictionsPath)
    {
        var references = ReadReferences(referencesPath);
        var predictions = ReadPredictions(predictionsPath);
        foreach (long id in predictions.Keys)
            if (!references.ContainsKey(id))
                throw JsonFields.Fail(predictionsPath, $"image_id {id} has a prediction but no reference captions in {referencesPath}.");
        foreach (long id in references.Keys)
            if (!predictions.ContainsKey(id))
                throw JsonFields.Fail(predictionsPath, $"image_id {id} (listed in {referencesPath}) has no prediction.");
        return (references, predictions);
    }

    /// <summary>Reads both files and scores them (<see cref="CaptionScorer.Score{TKey}"/>).</summary>
    public static IReadOnlyDictionary<string, double> Score(string referencesPath, string predictionsPath)
    {
        var (references, predictions) = Load(referencesPath, predictionsPath);
        return CaptionScorer.Score(references, predictions);
    }
}
