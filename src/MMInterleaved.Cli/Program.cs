using System.CommandLine;
using MMInterleaved.Cli.Commands;

namespace MMInterleaved.Cli;

/// <summary>Entry point of the `mmi` command.</summary>
public static class Program
{
    /// <summary>Builds the command tree (also used by tests).</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand($"mmi: the MMInterleaved workbench (MM-Interleaved with MMFS on TorchSharp). Errors in the input print one line; {VerboseFlag} adds the stack trace.");
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PretrainEncoderCommand.Build());
        root.Subcommands.Add(EvalCommand.Build());
        root.Subcommands.Add(GenerateCommand.Build());
        root.Subcommands.Add(ScoreCommand.Build());
        root.Subcommands.Add(ProbeCommand.Build());
        root.Subcommands.Add(AttentionCommand.Build());
        root.Subcommands.Add(ReproduceCommand.Build());
        root.Subcommands.Add(RunWorkerCommand.Build());
        return root;
    }

    /// <summary>Prints the stack trace of a bad-input error too (otherwise one line).</summary>
    public const string VerboseFlag = "--verbose";

    /// <summary>Runs the command line and returns the exit code: 0 success, 1 usage error, 2 bad input.</summary>
    public static int Main(string[] args)
    {
        // The library's module initializer loads libtorch when a method that uses the library is compiled, so a bad
        // MMI_LIBTORCH surfaces as a TypeInitializationException at the call of Run, which names no library type itself.
        try { return Run(args); }
        catch (TypeInitializationException e) when (e.InnerException is InvalidOperationException inner)
        {
            Console.Error.WriteLine($"mmi: {inner.Message.Split('\n')[0].Trim()}");
            if (args.Contains(VerboseFlag)) Console.Error.WriteLine(e);
            return 2;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Run(string[] args)
    {
        bool verbose = args.Contains(VerboseFlag);
        try
        {
            try
            {
                // parallel ablation runs go to worker processes of this same program (see RunWorker); not when a host such as
                // a test runner calls Main, which cannot be started as `mmi`
                if (System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
                    MMInterleaved.Experiments.RunWorker.Launcher ??= MMInterleaved.Experiments.RunWorker.CurrentProcess();
                return BuildRoot().Parse(args.Where(a => a != VerboseFlag).ToArray()).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                // a run in a parallel loop failed: report what failed, not the loop
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
                throw;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or FormatException
                                      or System.Text.Json.JsonException or NotSupportedException or UnauthorizedAccessException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            // Bad input (or a libtorch error): one clear line that says what is wrong, no stack trace (unless --verbose).
            Console.Error.WriteLine($"mmi: {e.Message.Split('\n')[0].Trim()}");
            if (verbose) Console.Error.WriteLine(e);
            return 2;
        }
    }
}
