using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MMInterleaved.Training;

/// <summary>
/// Training checkpoints in a run folder: <c>checkpoint-000200/</c> holds the model (<c>model.safetensors</c>), the optimizer
/// state (<c>optimizer.bin</c>), <c>trainer.json</c> (step, data position, libtorch's RNG state) and any extra files (the
/// model's <c>config.json</c>). Each checkpoint is written to a temporary folder and renamed into place, then the
/// <c>latest</c> file is replaced atomically, so an interrupted write never damages the last good checkpoint.
/// </summary>
public sealed class CheckpointStore(string runFolder, int keep = 2)
{
    /// <summary>What a checkpoint restores besides the weights and optimizer.</summary>
    public sealed record TrainerState(int Step, string DataPosition, string RngState);

    /// <summary>The run folder.</summary>
    public string RunFolder { get; } = runFolder;

    /// <summary>Folder of the latest complete checkpoint, or null.</summary>
    public string? Latest
    {
        get
        {
            string pointer = Path.Combine(RunFolder, "latest");
            if (!File.Exists(pointer)) return null;
            string folder = Path.Combine(RunFolder, File.ReadAllText(pointer).Trim());
            return Directory.Exists(folder) ? folder : null;
        }
    }

    /// <summary>Writes a checkpoint for <paramref name="step"/> and returns its folder.</summary>
    public string Save(int step, nn.Module model, OptimizerHelper optimizer, string dataPosition, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        Directory.CreateDirectory(RunFolder);
        string name = $"checkpoint-{step:D6}";
        string final = Path.Combine(RunFolder, name), temp = final + ".tmp-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(temp);
        try
        {
            var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
            Safetensors.SaveStateDict(Path.Combine(temp, "model.safetensors"), state);
            optimizer.save_state_dict(Path.Combine(temp, "optimizer.bin"));
            using var rng = get_rng_state();
            var trainer = new TrainerState(step, dataPosition, Convert.ToBase64String(rng.data<byte>().ToArray()));
            File.WriteAllText(Path.Combine(temp, "trainer.json"), JsonSerializer.Serialize(trainer));
            foreach (var (file, content) in extraFiles ?? new Dictionary<string, string>()) File.WriteAllText(Path.Combine(temp, file), content);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        string pointerTemp = Path.Combine(RunFolder, "latest.tmp-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(pointerTemp, name);
        File.Move(pointerTemp, Path.Combine(RunFolder, "latest"), overwrite: true);
        Prune(name);
        return final;
    }

    /// <summary>Restores model weights, optimizer state and the RNG from a checkpoint folder; returns the trainer state.</summary>
    public static TrainerState Load(string folder, nn.Module model, OptimizerHelper optimizer)
    {
        string trainerFile = Path.Combine(folder, "trainer.json");
        if (!File.Exists(trainerFile)) throw new FileNotFoundException($"not a checkpoint (no trainer.json): {folder}", trainerFile);
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(trainerFile))
                    ?? throw new InvalidDataException($"{trainerFile}: empty trainer state.");
        Model.ModelCheckpoint.LoadWeights(model, Path.Combine(folder, "model.safetensors"));
        optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        using var rng = tensor(Convert.FromBase64String(state.RngState), dtype: ScalarType.Byte);
        set_rng_state(rng);
        return state;
    }

    // Keeps the newest `keep` checkpoints; never deletes the one just written.
    private void Prune(string current)
    {
        var old = Directory.GetDirectories(RunFolder, "checkpoint-*").Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.Contains(".tmp-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        foreach (var name in old.Take(Math.Max(0, old.Count - keep)).Where(n => n != current))
            Directory.Delete(Path.Combine(RunFolder, name), recursive: true);
    }
}
