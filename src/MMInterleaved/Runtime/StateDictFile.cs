using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MMInterleaved.Runtime;

/// <summary>Strict loading of a safetensors state dict into a module: every key present, none unexpected, every shape
/// equal, or one error that lists what is wrong and copies nothing.</summary>
public static class StateDictFile
{
    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>: after dropping <paramref name="prefix"/> (keys without
    /// it are then ignored), the file's keys must be exactly the module's parameter and persistent-buffer names, with the
    /// same shapes. Values are copied in place (converted to each tensor's dtype and device). Throws an
    /// InvalidDataException naming the file, <paramref name="modelName"/> and the missing, unexpected or mis-shaped keys.
    /// <paramref name="rename"/> maps a file key to the module's name (e.g. legacy key names), or returns it unchanged.
    /// </summary>
    public static void Load(nn.Module module, string path, string modelName, string prefix = "", Func<string, string>? rename = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: weights not found.", path);
        string file = Path.GetFileName(path);
        Dictionary<string, Tensor> loaded;
        try { loaded = Safetensors.LoadStateDict(path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable safetensors file ({e.Message.Split('\n')[0]}).", e);
        }
        try
        {
            var source = loaded.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => (rename ?? (k => k))(kv.Key[prefix.Length..]), kv => kv.Value);
            var target = new Dictionary<string, Tensor>();
            foreach (var (name, parameter) in module.named_parameters()) target[name] = parameter;
            foreach (var (name, buffer) in module.named_buffers()) target[name] = buffer;

            var problems = new List<string>();
            var missing = target.Keys.Where(k => !source.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {Shown(missing)}");
            if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {Shown(unexpected)}");
            var misShaped = target.Where(kv => source.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
                .Select(kv => $"{kv.Key} is [{string.Join(", ", source[kv.Key].shape)}] in the file but [{string.Join(", ", kv.Value.shape)}] in the model")
                .ToList();
            if (misShaped.Count > 0) problems.Add($"shape mismatches ({misShaped.Count}): {Shown(misShaped)}");
            if (problems.Count > 0)
                throw new InvalidDataException($"{file}{(prefix.Length > 0 ? $" (prefix \"{prefix}\")" : "")} does not match {modelName}: {string.Join("; ", problems)}.");

            using var noGrad = no_grad();
            foreach (var (name, tensor) in target) tensor.copy_(source[name]);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }

        static string Shown(List<string> items) =>
            string.Join(", ", items.Take(10)) + (items.Count > 10 ? $", … and {items.Count - 10} more" : "");
    }
}
