using System.Text.Json;

namespace MMInterleaved.Data.Real;

/// <summary>Reading required fields of annotation JSON with errors that name the file and the field path
/// (e.g. "annotations[3].caption").</summary>
internal static class JsonFields
{
    public static JsonDocument ParseFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: annotation file not found.", path);
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.LineNumber is long l ? (int)l + 1 : null, $"malformed JSON ({e.Message})", e);
        }
    }

    public static JsonElement Property(JsonElement obj, string name, string where, string file)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new DataFormatException(file, null, $"{where} must be an object, not {obj.ValueKind}.");
        if (!obj.TryGetProperty(name, out var value)) throw new DataFormatException(file, null, $"{Path(where, name)} is missing.");
        return value;
    }

    public static JsonElement Array(JsonElement obj, string name, string where, string file)
    {
        var value = Property(obj, name, where, file);
        if (value.ValueKind != JsonValueKind.Array) throw new DataFormatException(file, null, $"{Path(where, name)} must be an array, not {value.ValueKind}.");
        return value;
    }

    public static string String(JsonElement obj, string name, string where, string file)
    {
        var value = Property(obj, name, where, file);
        if (value.ValueKind != JsonValueKind.String) throw new DataFormatException(file, null, $"{Path(where, name)} must be a string, not {value.ValueKind}.");
        return value.GetString()!;
    }

    /// <summary>An id: a number or a string, as text.</summary>
    public static string Id(JsonElement obj, string name, string where, string file)
    {
        var value = Property(obj, name, where, file);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw new DataFormatException(file, null, $"{Path(where, name)} must be a number or a string, not {value.ValueKind}."),
        };
    }

    private static string Path(string where, string name) => where.Length == 0 ? name : $"{where}.{name}";
}
