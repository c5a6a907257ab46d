using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using MMInterleaved.Model;
using MMInterleaved.Runtime;
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

    /// <summary>The file naming the latest complete checkpoint.</summary>
    public const string LatestFile = "latest";

    /// <summary>The run folder.</summary>
    public string RunFolder { get; } = runFolder;

    /// <summary>Folder of the latest complete checkpoint, or null.</summary>
    public string? Latest
    {
        get
        {
            string pointer = Path.Combine(RunFolder, LatestFile);
            if (!File.Exists(pointer)) return null;
            string folder = Path.Combine(RunFolder, File.ReadAllText(pointer).Trim());
            return Directory.Exists(folder) ? folder : null;
        }
    }

    /// <summary>The step of the latest complete checkpoint (from its trainer.json), or null when there is none or it cannot be read.</summary>
    public int? LatestStep
    {
        get
        {
            if (Latest is not string folder) return null;
            try { return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, "trainer.json")))?.Step; }
            catch (Exception e) when (e is IOException or JsonException) { return null; }
        }
    }

    /// <summary>Writes a checkpoint for <paramref name="step"/> and returns its folder.</summary>
    public string Save(int step, nn.Module model, OptimizerHelper optimizer, string dataPosition, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        Directory.CreateDirectory(RunFolder);
        string name = $"checkpoint-{step:D6}";
        string final = Path.Combine(RunFolder, name), temp = AtomicFile.TemporaryName(final);
        Directory.CreateDirectory(temp);
        try
        {
            ModelCheckpoint.SaveWeights(model, Path.Combine(temp, ModelCheckpoint.WeightsFile));
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
        AtomicFile.WriteAllText(Path.Combine(RunFolder, LatestFile), name);
        Prune(name);
        return final;
    }

    /// <summary>Restores model weights, optimizer state and the RNG from a checkpoint folder; returns the trainer state.</summary>
    public static TrainerState Load(string folder, nn.Module model, OptimizerHelper optimizer)
    {
        string trainerFile = Path.Combine(folder, "trainer.json");
        if (!File.Exists(trainerFile)) throw new FileNotFoundException($"not a checkpoint (no trainer.json): {folder}", trainerFile);
        TrainerState? state;
        try { state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(trainerFile)); }
        catch (JsonException e) { throw new InvalidDataException($"{trainerFile}: not a trainer state: {e.Message}", e); }
        if (state is null || state.DataPosition is null || state.RngState is null) throw new InvalidDataException($"{trainerFile}: empty or incomplete trainer state.");
        ModelCheckpoint.LoadWeights(model, Path.Combine(folder, ModelCheckpoint.WeightsFile));
        string optimizerFile = Path.Combine(folder, "optimizer.bin");
        if (!File.Exists(optimizerFile)) throw new FileNotFoundException($"{folder}: the checkpoint has no optimizer.bin.", optimizerFile);
        try { optimizer.load_state_dict(optimizerFile); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{optimizerFile}: not a readable optimizer state ({e.GetType().Name}: {e.Message.Split('\n')[0]}).", e);
        }
        using var rng = tensor(Convert.FromBase64String(state.RngState), dtype: ScalarType.Byte);
        set_rng_state(rng);
        return state;
    }

    /// <summary>Deletes the temporary checkpoint folders and pointer files a run killed mid-write left behind (never a
    /// complete checkpoint).</summary>
    public void RemoveTemporary()
    {
        if (!Directory.Exists(RunFolder)) return;
        foreach (var folder in Directory.GetDirectories(RunFolder, "checkpoint-*" + AtomicFile.TemporaryMarker + "*")) Directory.Delete(folder, recursive: true);
        foreach (var file in Directory.GetFiles(RunFolder, "*" + AtomicFile.TemporaryMarker + "*")) File.Delete(file);
    }

    // Keeps the newest `keep` checkpoints; never deletes the one just written.
    private void Prune(string current)
    {
        var old = Directory.GetDirectories(RunFolder, "checkpoint-*").Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.Contains(AtomicFile.TemporaryMarker, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        foreach (var name in old.Take(Math.Max(0, old.Count - keep)).Where(n => n != current))
            Directory.Delete(Path.Combine(RunFolder, name), recursive: true);
    }
}
