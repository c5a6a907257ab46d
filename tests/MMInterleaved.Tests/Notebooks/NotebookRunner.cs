using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace MMInterleaved.Tests.Notebooks;

/// <summary>
/// Executes a Polyglot notebook in this process with the .NET Interactive C# kernel, cell by cell, the way
/// VS Code would: a fresh kernel per notebook, the notebook's folder as working directory (so relative
/// `#r`/`#load` paths resolve), stopping at the first failed cell. The executed notebook, with outputs, is
/// written to <c>outputPath</c>.
/// </summary>
public static class NotebookRunner
{
    private static readonly KernelInfoCollection Kernels = CreateKernelInfos();

    /// <summary>Runs the notebook and returns where it failed, if anywhere.</summary>
    public static async Task<NotebookRunResult> RunAsync(string notebookPath, string outputPath, TimeSpan? cellTimeout = null)
    {
        string name = Path.GetFileName(notebookPath);
        InteractiveDocument document;
        await using (var stream = File.OpenRead(notebookPath))
            document = Notebook.Read(stream, Kernels);

        string previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        NotebookCellFailure? failure = null;
        int cellNumber = 0, executed = 0;
        try
        {
            foreach (var cell in document.Elements)
            {
                cellNumber++;
                cell.Outputs.Clear();
                if (cell.KernelName is "markdown" or "md") continue;
                if (cell.KernelName is not ("csharp" or "C#" or "c#"))
                {
                    failure = new NotebookCellFailure(name, cellNumber, $"unsupported kernel '{cell.KernelName}' (only C# cells run)");
                    break;
                }
                executed++;
                var submit = kernel.SendAsync(new SubmitCode(cell.Contents));
                var timeout = cellTimeout ?? TimeSpan.FromMinutes(10);
                if (await Task.WhenAny(submit, Task.Delay(timeout)) != submit)
                {
                    failure = new NotebookCellFailure(name, cellNumber, $"cell did not finish within {timeout.TotalSeconds:0} s");
                    break;
                }
                var result = await submit;
                cell.ExecutionOrder = executed;
                foreach (var e in result.Events) AddOutput(cell, e);
                var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
                if (failed is not null)
                {
                    failure = new NotebookCellFailure(name, cellNumber, failed.Message);
                    break;
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        document.Metadata["kernelInfo"] = Kernels;
        await using (var output = File.Create(outputPath))
            Notebook.Write(document, output, Kernels);
        return new NotebookRunResult(name, executed, failure);
    }

    private static void AddOutput(InteractiveDocumentElement cell, KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced o:
                cell.Outputs.Add(new TextElement(Text(o.FormattedValues), "stdout"));
                break;
            case StandardErrorValueProduced o:
                cell.Outputs.Add(new TextElement(Text(o.FormattedValues), "stderr"));
                break;
            case DisplayEvent d: // displayed and returned values
                cell.Outputs.Add(new DisplayElement(d.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value)));
                break;
            case CommandFailed f:
                cell.Outputs.Add(new ErrorElement("Error", f.Message, []));
                break;
        }
    }

    private static string Text(IEnumerable<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? values.FirstOrDefault()?.Value ?? "";

    private static KernelInfoCollection CreateKernelInfos()
    {
        var infos = new KernelInfoCollection
        {
            new("csharp", "C#", ["cs", "C#", "c#"]),
            new("markdown", "Markdown", ["md"]),
        };
        infos.DefaultKernelName = "csharp";
        return infos;
    }
}

/// <summary>Outcome of one notebook run.</summary>
public sealed record NotebookRunResult(string Notebook, int CellsExecuted, NotebookCellFailure? Failure)
{
    /// <summary>True when every code cell ran without error.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>Where a notebook failed: its file name, the 1-based cell number (counting every cell) and the message.</summary>
public sealed record NotebookCellFailure(string Notebook, int Cell, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Notebook}, cell {Cell}: {Message}";
}
