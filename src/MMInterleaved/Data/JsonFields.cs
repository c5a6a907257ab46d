using System.Text.Json;

namespace MMInterleaved.Data;

/// <summary>
/// The one reader of required fields in JSON files (annotation files, the official evaluation formats): every failure
/// is a <see cref="DataFormatException"/> whose message starts with the file (and line, when JSON itself is broken)
/// and names the field path, e.g. <c>a.json: annotations[3].answers is missing.</c> The CLI prints it as one line.
/// </summary>
internal static class JsonFields
{
    /// <summary>Parses a whole file. A missing file stays a <see cref="FileNotFoundException"/> with the path in it.</summary>
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber is long l ? (int)l + 1 : null, $"malformed JSON ({e.Message})", e);
        }
    }

    /// <summary>A problem with the file as a whole or with a field it names itself.</summary>
    public static DataFormatException Fail(string path, string problem) => new(path, null, problem);

    /// <summary>The top-level value, which must be of <paramref name="kind"/> (<paramref name="expected"/> says so in words).</summary>
    public static JsonElement Root(JsonDocument document, JsonValueKind kind, string path, string expected)
    {
        var root = document.RootElement;
        if (root.ValueKind != kind) throw Fail(path, $"the top level must be {expected}, not {Describe(root.ValueKind)}.");
        return root;
    }

    /// <summary>Field <paramref name="name"/> of the object at path <paramref name="where"/> ("" for the top level).</summary>
    public static JsonElement Property(JsonElement obj, string name, string where, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw Fail(path, $"{(where.Length == 0 ? "the top level" : where)} must be an object, not {Describe(obj.ValueKind)}.");
        if (!obj.TryGetProperty(name, out var value)) throw Fail(path, $"{Join(where, name)} is missing.");
        return value;
    }

    public static JsonElement Array(JsonElement obj, string name, string where, string path) =>
        Of(obj, name, where, path, JsonValueKind.Array);

    public static string String(JsonElement obj, string name, string where, string path) =>
        Of(obj, name, where, path, JsonValueKind.String).GetString()!;

    /// <summary>An integer id (COCO and VQA ids are JSON integers; 7.0 is accepted as 7, as Python's 7.0 == 7).</summary>
    public static long IntegerId(JsonElement obj, string name, string where, string path)
    {
        var value = Property(obj, name, where, path);
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out long id)) return id;
            if (value.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        }
        throw Fail(path, $"{Join(where, name)} must be an integer id, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}.");
    }

    /// <summary>An id that may be a number or a string, as text (datasets key images by either).</summary>
    public static string IdText(JsonElement obj, string name, string where, string path)
    {
        var value = Property(obj, name, where, path);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw Fail(path, $"{Join(where, name)} must be a number or a string, not {Describe(value.ValueKind)}."),
        };
    }

    /// <summary>The field path of <paramref name="name"/> inside <paramref name="where"/>.</summary>
    public static string Join(string where, string name) => where.Length == 0 ? name : $"{where}.{name}";

    private static JsonElement Of(JsonElement obj, string name, string where, string path, JsonValueKind kind)
    {
        var value = Property(obj, name, where, path);
        if (value.ValueKind != kind) throw Fail(path, $"{Join(where, name)} must be {Describe(kind)}, not {Describe(value.ValueKind)}.");
        return value;
    }

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
