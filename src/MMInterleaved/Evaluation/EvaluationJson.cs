using System.Text.Json;

namespace MMInterleaved.Evaluation;

/// <summary>
/// Reading the official evaluation file formats (COCO captions, VQA) with <see cref="InvalidDataException"/>s whose
/// message starts with the file and names the field path, e.g. <c>vqa_annotations.json: annotations[3].answers is
/// missing.</c> (the CLI prints these as one line).
/// </summary>
internal static class EvaluationJson
{
    public static JsonDocument Parse(string path)
    {
        // A missing file stays a FileNotFoundException (an IOException the CLI reports too), with the path in it.
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw Fail(path, $"not valid JSON (line {(e.LineNumber ?? 0) + 1}: {e.Message})");
        }
    }

    public static InvalidDataException Fail(string path, string problem) => new($"{path}: {problem}");

    public static JsonElement Root(JsonDocument document, JsonValueKind kind, string path, string expected)
    {
        var root = document.RootElement;
        if (root.ValueKind != kind) throw Fail(path, $"the top level must be {expected}, not {Describe(root.ValueKind)}.");
        return root;
    }

    public static JsonElement Property(JsonElement obj, string name, string where, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw Fail(path, $"{where} must be an object, not {Describe(obj.ValueKind)}.");
        if (!obj.TryGetProperty(name, out var value)) throw Fail(path, $"{Join(where, name)} is missing.");
        return value;
    }

    public static JsonElement Array(JsonElement obj, string name, string where, string path)
    {
        var value = Property(obj, name, where, path);
        if (value.ValueKind != JsonValueKind.Array) throw Fail(path, $"{Join(where, name)} must be an array, not {Describe(value.ValueKind)}.");
        return value;
    }

    public static string String(JsonElement obj, string name, string where, string path)
    {
        var value = Property(obj, name, where, path);
        if (value.ValueKind != JsonValueKind.String) throw Fail(path, $"{Join(where, name)} must be a string, not {Describe(value.ValueKind)}.");
        return value.GetString()!;
    }

    /// <summary>An integer id (COCO and VQA ids are JSON integers; 7.0 is accepted as 7, as Python's 7.0 == 7).</summary>
    public static long Id(JsonElement obj, string name, string where, string path)
    {
        var value = Property(obj, name, where, path);
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long id)) return id;
            if (value.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        }
        throw Fail(path, $"{Join(where, name)} must be an integer id, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}.");
    }

    public static string Join(string where, string name) => where.Length == 0 ? name : $"{where}.{name}";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
