using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// A saved model: <c>config.json</c> (the <see cref="ModelConfig"/>) and <c>model.safetensors</c> (the full state dict,
/// reference names). Both files are written to a temporary name and renamed, so a crash never leaves a half-written model.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>File name of the config.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>File name of the weights.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Saves the model into <paramref name="folder"/> (created if needed).</summary>
    public static void Save(MMInterleavedModel model, string folder)
    {
        Directory.CreateDirectory(folder);
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        WriteAtomically(Path.Combine(folder, WeightsFile), path => Safetensors.SaveStateDict(path, state));
        WriteAtomically(Path.Combine(folder, ConfigFile), path => File.WriteAllText(path, model.Config.ToJson()));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; every key and shape must match (errors name the file and key).</summary>
    public static MMInterleavedModel Load(string folder, Device? device = null)
    {
        string configPath = Path.Combine(folder, ConfigFile), weightsPath = Path.Combine(folder, WeightsFile);
        var config = ModelConfig.Load(configPath) with { PretrainedEncoderPath = null }; // the weights hold the encoder
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"model weights not found: {weightsPath}", weightsPath);
        var model = new MMInterleavedModel(config);
        // build in the saved precision so that loading is exact (a float64 model reloads as float64)
        var saved = SavedDtype(weightsPath);
        if (saved != ScalarType.Float32) model.to(saved);
        LoadWeights(model, weightsPath);
        if (device is not null) model.to(device);
        return model;
    }

    /// <summary>Copies a safetensors state dict into the model, strictly: missing, unexpected or mis-shaped keys are errors.</summary>
    public static void LoadWeights(nn.Module model, string weightsPath)
    {
        var loaded = Safetensors.LoadStateDict(weightsPath);
        try
        {
            var own = model.state_dict();
            var missing = own.Keys.Except(loaded.Keys).ToList();
            var unexpected = loaded.Keys.Except(own.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"{weightsPath}: state dict does not match the model: " +
                    $"missing [{string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : "")}], " +
                    $"unexpected [{string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? ", …" : "")}].");
            using var noGrad = no_grad();
            foreach (var (key, target) in own)
            {
                var source = loaded[key];
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"{weightsPath}: '{key}' has shape [{string.Join(",", source.shape)}], the model expects [{string.Join(",", target.shape)}].");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    // dtype of the saved soi_token (every floating tensor of a saved model shares it)
    private static ScalarType SavedDtype(string weightsPath)
    {
        var tensors = Safetensors.LoadStateDict(weightsPath, ["soi_token"]);
        try
        {
            return tensors.TryGetValue("soi_token", out var t) ? t.dtype : ScalarType.Float32;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static void WriteAtomically(string path, Action<string> write)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            write(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
