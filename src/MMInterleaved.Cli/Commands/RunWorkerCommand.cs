using System.CommandLine;
using MMInterleaved.Experiments;

namespace MMInterleaved.Cli.Commands;

/// <summary>`mmi run-worker SPEC` (hidden): trains one ablation run that `mmi reproduce` handed to a worker process.</summary>
public static class RunWorkerCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var spec = new Argument<string>("spec") { Description = "The run's worker.json (written by mmi reproduce)." };
        var command = new Command(RunWorker.Verb, "Train one ablation run for mmi reproduce (internal).") { spec };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var record = RunWorker.Execute(parse.GetValue(spec)!);
            Console.WriteLine($"{record.Variant} seed {record.Seed}: {record.Steps} steps, " +
                string.Join(", ", record.Metrics.Select(kv => FormattableString.Invariant($"{kv.Key} {kv.Value:F1}"))));
            return 0;
        });
        return command;
    }
}
