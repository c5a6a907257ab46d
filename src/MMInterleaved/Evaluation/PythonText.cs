namespace MMInterleaved.Evaluation;

/// <summary>
/// Python 3 string operations the official scripts rely on, where .NET's nearest method differs: Python's notion
/// of whitespace (<c>str.split()</c>, <c>str.strip()</c>) includes U+001C–U+001F, which <see cref="char.IsWhiteSpace(char)"/>
/// does not; <c>str.split(sep)</c> keeps empty pieces.
/// </summary>
internal static class PythonText
{
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary><c>str.split()</c> with no argument: runs of whitespace separate, no empty pieces.</summary>
    public static List<string> Split(string text)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsSpace(text[i])) i++;
            int start = i;
            while (i < text.Length && !IsSpace(text[i])) i++;
            if (i > start) parts.Add(text[start..i]);
        }
        return parts;
    }

    /// <summary><c>str.strip()</c> with no argument.</summary>
    public static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        return text[start..end];
    }

    /// <summary><c>str.lower()</c> (invariant lower-casing; Python's full Unicode mapping differs only for a few
    /// characters such as U+0130).</summary>
    public static string Lower(string text) => text.ToLowerInvariant();

    /// <summary><c>str.split(separator)</c>: every occurrence separates, empty pieces are kept.</summary>
    public static string[] SplitOn(string text, string separator) => text.Split(separator, StringSplitOptions.None);
}
