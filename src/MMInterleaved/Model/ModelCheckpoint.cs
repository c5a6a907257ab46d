using MMInterleaved.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MMInterleaved.Model;

/// <summary>
/// A module's weights as a safetensors file (the reference's parameter names): written atomically, read strictly (every key
/// and shape must match), and a damaged file (truncated, not safetensors) is named in one line instead of a parser's stack
/// trace. The pipeline (<see cref="Pipeline.MMInterleavedPipeline"/>) and the training checkpoints use it.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>File name of the weights in a pipeline folder or a checkpoint.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Writes the module's state dict (on the CPU, contiguous) to <paramref name="path"/> atomically.</summary>
    public static void SaveWeights(nn.Module model, string path)
    {
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        try
        {
            AtomicFile.Write(path, temporary => Safetensors.SaveStateDict(temporary, state));
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>Copies a safetensors state dict into the model, strictly: missing, unexpected or mis-shaped keys are errors
    /// that name the file and the key.</summary>
    public static void LoadWeights(nn.Module model, string weightsPath)
    {
        var loaded = Read(weightsPath);
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

    /// <summary>The dtype of the saved <paramref name="key"/> (every floating tensor of a saved model shares it), or
    /// float32 when the file lacks it.</summary>
    public static ScalarType SavedDtype(string weightsPath, string key = "soi_token")
    {
        var tensors = Read(weightsPath, [key]);
        try
        {
            return tensors.TryGetValue(key, out var t) ? t.dtype : ScalarType.Float32;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    // The safetensors reader throws JSON or I/O errors from deep inside on a damaged file; one line names the file instead.
    private static Dictionary<string, Tensor> Read(string path, List<string>? keys = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model weights not found: {path}", path);
        try
        {
            return keys is null ? Safetensors.LoadStateDict(path) : Safetensors.LoadStateDict(path, keys);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable safetensors file ({new FileInfo(path).Length} bytes; it may be truncated or damaged): {e.GetType().Name}: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
