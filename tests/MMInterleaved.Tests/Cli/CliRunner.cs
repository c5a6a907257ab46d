using MMInterleaved.Cli;
using Spectre.Console;

namespace MMInterleaved.Tests.Cli;

/// <summary>Runs `mmi` in-process and captures what it prints: Spectre output and standard output together, standard
/// error apart. Console is process-global, so callers belong to the sequential torch collection.</summary>
public static class CliRunner
{
    public static (int Code, string Output, string Error) Mmi(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var previous = AnsiConsole.Console;
        var previousOut = Console.Out;
        var previousError = Console.Error;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
