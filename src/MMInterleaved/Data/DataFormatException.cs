namespace MMInterleaved.Data;

/// <summary>
/// Malformed or unusable data in a file. The message starts with <c>file:line:</c> (or <c>file:</c> when no line is
/// known) so an editor can jump to it; <see cref="FilePath"/> and <see cref="Line"/> carry the same for code.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception; <paramref name="line"/> is 1-based.</summary>
    public DataFormatException(string filePath, int? line, string message, Exception? inner = null)
        : base($"{filePath}{(line is int l ? ":" + l : "")}: {message}", inner) => (FilePath, Line) = (filePath, line);

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>1-based line within <see cref="FilePath"/>, when known.</summary>
    public int? Line { get; }
}
