using System.Text.Json;
using System.Text.Json.Serialization;

namespace MMInterleaved.Experiments;

/// <summary>The JSON of result records (<c>results/*.json</c>): one format, written atomically, read back with an error
/// that names the file and what it should have been.</summary>
internal static class ResultFile
{
    /// <summary>Indented; NaN allowed (a metric of a run that never evaluated); Unicode kept readable; enums by name
    /// (<c>"Split": "Test"</c>; numbers, as older files wrote them, still read).</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static void Save<T>(T value, string path) => Runtime.AtomicFile.WriteAllText(path, ToJson(value));

    /// <summary>Reads a <typeparamref name="T"/>; <paramref name="what"/> names it in errors ("a few-shot result") and
    /// <paramref name="howToMake"/> says which command writes one.</summary>
    public static T Load<T>(string path, string what, string howToMake) where T : class
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; {howToMake} to make {what}.", path);
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty; expected {what}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not {what} ({e.Message}).", e);
        }
    }
}
