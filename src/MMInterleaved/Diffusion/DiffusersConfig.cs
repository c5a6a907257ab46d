using System.Text.Json;
using System.Text.Json.Nodes;

namespace MMInterleaved.Diffusion;

/// <summary>Reading diffusers' <c>config.json</c> files into records: keys starting with "_" and the given ignored keys
/// are skipped; keys that select machinery this workbench does not build must keep their defaults; any other key must be
/// known. Every failure is one line naming the file and the key.</summary>
internal static class DiffusersConfig
{
    /// <summary>Applies every key of <paramref name="json"/> to <paramref name="initial"/> through <paramref name="apply"/>
    /// (which returns null for a key it does not know); <paramref name="what"/> names the model in errors.</summary>
    public static T Read<T>(string json, string source, string what, T initial, IReadOnlyDictionary<string, JsonNode?> mustBeDefault,
        IReadOnlySet<string> ignored, Func<T, string, JsonNode, T?> apply) where T : class
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: a {what} config is a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e); }
        var config = initial;
        foreach (var (key, value) in root)
        {
            if (key.StartsWith('_') || ignored.Contains(key)) continue;
            if (mustBeDefault.TryGetValue(key, out var expected))
            {
                if (!SameValue(value, expected))
                    throw new InvalidDataException($"{source}: {key} is {value?.ToJsonString() ?? "null"}; this {what} supports only {expected?.ToJsonString() ?? "null"}.");
                continue;
            }
            try
            {
                config = (value is null ? null : apply(config, key, value))
                    ?? throw new InvalidDataException($"{source}: {(value is null ? $"{key} is null" : $"unknown key '{key}'")} for {what} (diffusers 0.20).");
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source}: {key} has the wrong type ({e.Message}).", e);
            }
        }
        return config;
    }

    public static int Int(JsonNode value) => value.GetValue<int>();
    public static double Double(JsonNode value) => value.GetValue<double>();
    public static int[] Ints(JsonNode value) => value.AsArray().Select(v => v!.GetValue<int>()).ToArray();
    public static string[] Strings(JsonNode value) => value.AsArray().Select(v => v!.GetValue<string>()).ToArray();
    public static JsonArray Array<TItem>(IEnumerable<TItem> items) => new([.. items.Select(i => JsonValue.Create(i))]);

    /// <summary>Indented JSON as diffusers' <c>save_config</c> writes it.</summary>
    public static string Write(JsonObject root) => root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    // 1 and 1.0 are the same default
    private static bool SameValue(JsonNode? actual, JsonNode? expected)
    {
        if (actual is null || expected is null) return actual is null && expected is null;
        var (a, e) = (JsonSerializer.SerializeToElement(actual), JsonSerializer.SerializeToElement(expected));
        return a.ValueKind == JsonValueKind.Number && e.ValueKind == JsonValueKind.Number ? a.GetDouble() == e.GetDouble() : JsonNode.DeepEquals(actual, expected);
    }
}
