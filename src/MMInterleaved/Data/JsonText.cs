using System.Text.Encodings.Web;
using System.Text.Json;

namespace MMInterleaved.Data;

/// <summary>JSON snippets for metadata values (compact, UTF-8 kept readable).</summary>
public static class JsonText
{
    /// <summary>The writer options used for every JSON the data code writes: compact, non-ASCII kept as is.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON array of strings, e.g. <c>["7","7"]</c>.</summary>
    public static string Array(IEnumerable<string> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (string v in values) writer.WriteStringValue(v);
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The strings of a JSON array of strings (the inverse of <see cref="Array"/>).</summary>
    public static IReadOnlyList<string> ParseArray(string json) =>
        JsonSerializer.Deserialize<string[]>(json) ?? throw new FormatException("JsonText.ParseArray: null is not an array.");
}
