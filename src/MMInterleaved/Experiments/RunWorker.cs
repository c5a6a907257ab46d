using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace MMInterleaved.Experiments;

/// <summary>
/// Trains ablation runs that share the machine in separate processes, one thread each, instead of threads of one process.
/// Why: TorchSharp 0.107 frees the Scalars it makes implicitly (<c>x + 1e-6</c>, inside its own ops too) in a finalizer
/// that does not wait for the native call using them (dotnet/TorchSharp PRs 1434 and 1496, open); a GC set off by another
/// thread's allocations can free one mid-call, which crashed threaded runs now and then and could as well corrupt a value
/// silently. A process with one training thread has no other thread to set off that GC. A notebook, which has no `mmi` to
/// start, trains in threads as before (<see cref="ExperimentRunner"/> retries a run that dies of a libtorch error).
/// </summary>
public static class RunWorker
{
    /// <summary>The hidden `mmi` verb a worker runs: <c>mmi run-worker &lt;folder&gt;/worker.json</c>.</summary>
    public const string Verb = "run-worker";

    /// <summary>The file of the spec in the run folder, and of the worker's output beside it.</summary>
    public const string SpecFile = "worker.json", LogFile = "worker.log";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>How to start `mmi` (the program and the arguments before the verb), or null: runs stay in threads. The `mmi`
    /// command sets it to itself at start-up.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments)? Launcher { get; set; }

    /// <summary>Whether the runs of <paramref name="experiment"/> can go to worker processes: a launcher is set and the
    /// experiment is the catalog's (a worker finds the variant by name there).</summary>
    public static bool CanRun(AblationExperiment experiment) =>
        Launcher is not null && AblationCatalog.All.Any(e => e.Id == experiment.Id && e.Variants.Select(v => v.Name).SequenceEqual(experiment.Variants.Select(v => v.Name)));

    /// <summary>The `mmi` of the running process: its apphost, or <c>dotnet mmi.dll</c> when started through dotnet.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments)? CurrentProcess()
    {
        string? process = Environment.ProcessPath;
        if (process is null) return null;
        bool viaDotnet = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        string? entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (viaDotnet && string.IsNullOrEmpty(entry)) return null;
        return viaDotnet ? (process, [entry!]) : (process, []);
    }

    /// <summary>Trains <paramref name="spec"/> in a worker process and returns its record; the worker's output goes to
    /// <c>worker.log</c> in the run folder. A failed worker throws, naming the run, its exit code, the last line it wrote and the log.</summary>
    public static RunRecord Run(RunWorkerSpec spec, AblationExperiment experiment)
    {
        var launcher = Launcher ?? throw new InvalidOperationException("RunWorker.Launcher is not set: there is no `mmi` to start.");
        var variant = spec.VariantOf(experiment);
        // the spec lives beside the run folder, which the run replaces
        string parent = Path.GetDirectoryName(Path.GetFullPath(spec.Folder))!;
        Directory.CreateDirectory(parent);
        string name = Path.GetFileName(Path.GetFullPath(spec.Folder));
        string specPath = Path.Combine(parent, $"{name}.{SpecFile}"), logPath = Path.Combine(parent, $"{name}.{LogFile}");
        Runtime.AtomicFile.WriteAllText(specPath, JsonSerializer.Serialize(spec with { Folder = Path.GetFullPath(spec.Folder) }, Json));
        Start(launcher, [Verb, specPath], logPath, $"{spec.Variant} seed {spec.Seed}");
        return AblationRun.FinishedRecord(variant, spec.Seed, spec.Settings, spec.Folder, experiment.Training, spec.Score)
            ?? throw new InvalidOperationException($"{spec.Variant} seed {spec.Seed}: the worker finished but left no matching {AblationRun.FinishedFile} in {spec.Folder} (log: {logPath}).");
    }

    /// <summary>Runs `mmi` with <paramref name="arguments"/> (quick mode off: the arguments say what to run) and waits,
    /// its output in <paramref name="logPath"/>; a failure throws, naming <paramref name="name"/>, the exit code, the last
    /// line written and the log.</summary>
    internal static void Start((string FileName, IReadOnlyList<string> Arguments) launcher, IEnumerable<string> arguments, string logPath, string name)
    {
        var start = new ProcessStartInfo(launcher.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in launcher.Arguments.Concat(arguments)) start.ArgumentList.Add(argument);
        start.Environment["MMI_QUICK"] = null;
        string last = "";
        using var log = new StreamWriter(logPath);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{name}: cannot start {launcher.FileName}.");
        void Write(string? line)
        {
            if (line is null) return;
            lock (log)
            {
                log.WriteLine(line);
                if (line.Trim().Length > 0) last = line.Trim();
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{name}: the worker process failed (exit {process.ExitCode}): {last} (log: {logPath})");
    }

    /// <summary>The worker side: reads a spec and trains it with one intra-op thread (the record lands in its folder).</summary>
    public static RunRecord Execute(string specPath)
    {
        if (!File.Exists(specPath)) throw new FileNotFoundException($"{specPath}: no worker spec.", specPath);
        RunWorkerSpec spec;
        try
        {
            spec = JsonSerializer.Deserialize<RunWorkerSpec>(File.ReadAllText(specPath), Json) ?? throw new InvalidDataException($"{specPath}: empty worker spec.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{specPath}: not a worker spec ({e.Message}).", e);
        }
        var experiment = AblationCatalog.Get(spec.Experiment);
        AblationVariant variant;
        try { variant = spec.VariantOf(experiment); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{specPath}: {e.Message}", e); }
        set_num_threads(1);
        return AblationRun.Execute(variant, spec.Seed, spec.Settings, spec.Folder, experiment.Training, spec.Score);
    }
}
