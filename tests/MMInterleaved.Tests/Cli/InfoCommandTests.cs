using MMInterleaved.Cli;
using Spectre.Console;
using Xunit;

namespace MMInterleaved.Tests.Cli;

[Collection(TorchCollection.Name)]
public class InfoCommandTests
{
    [Fact]
    public void Info_prints_versions_device_threads_and_optional_data()
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No });
        try
        {
            Assert.Equal(0, Program.Main(["info", "--device", "cpu"]));
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        string text = writer.ToString();
        Assert.Contains("0.107.0", text);
        Assert.Contains("2.10", text);
        Assert.Contains("cpu", text);
        Assert.Contains("threads", text);
        Assert.Contains("Fashion-MNIST", text);
    }

    [Fact]
    public void Info_with_an_unknown_device_fails_with_a_clear_message()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, Program.Main(["info", "--device", "tpu"]));
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains("'tpu'", error.ToString());
        Assert.Contains("auto, cpu, cuda, cuda:N", error.ToString());
    }

    [Fact]
    public void Info_with_the_paper_preset_prints_counts_that_match_the_reference()
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No });
        try
        {
            Assert.Equal(0, Program.Main(["info", "--preset", "paper"]));
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
        string text = writer.ToString();
        Assert.Contains("36,303,537", text);      // one decoder MMFS layer, ≈36.3 M as in the reference
        Assert.Contains("12,852,034,560", text);  // Vicuna-13B with the two added rows
        Assert.Contains("303,177,728", text);     // CLIP ViT-L/14
    }
}
