namespace MMInterleaved.Evaluation;

/// <summary>
/// MM-Interleaved's <c>extract_answer</c> (mm_interleaved/utils/vqa_score.py), which its VQA evaluation applies to a
/// generated response before scoring, to turn a sentence into a short answer. A heuristic, reproduced step for step:
/// <list type="number">
/// <item>delete every double quote;</item>
/// <item>strip whitespace, keep the first line, then the text before the first ".", then before the first ",", then
/// before the first "!"; lower-case;</item>
/// <item>for each of "is ", "are ", "a ", "an ", "the " in turn: if it occurs <em>anywhere</em> (a substring test, so
/// "this " and "banana " trigger it too), keep Python's <c>split(marker)[1]</c>: the text between its first and
/// second occurrence ("this is red" becomes "" because "this " holds "is ");</item>
/// <item>for each of " of", " or ", " and " in turn: if it occurs, keep the text before its first occurrence;</item>
/// <item>strip whitespace.</item>
/// </list>
/// </summary>
public static class VqaAnswerExtractor
{
    private static readonly string[] KeepAfter = ["is ", "are ", "a ", "an ", "the "];
    private static readonly string[] KeepBefore = [" of", " or ", " and "];

    /// <summary>The short answer MM-Interleaved extracts from <paramref name="response"/>.</summary>
    public static string Extract(string response)
    {
        string text = response.Replace("\"", "", StringComparison.Ordinal);
        text = PythonText.Strip(text);
        text = PythonText.SplitOn(text, "\n")[0];
        text = PythonText.SplitOn(text, ".")[0];
        text = PythonText.SplitOn(text, ",")[0];
        text = PythonText.SplitOn(text, "!")[0];
        text = PythonText.Lower(text);
        foreach (string marker in KeepAfter)
            if (text.Contains(marker, StringComparison.Ordinal)) text = PythonText.SplitOn(text, marker)[1];
        foreach (string marker in KeepBefore)
            if (text.Contains(marker, StringComparison.Ordinal)) text = PythonText.SplitOn(text, marker)[0];
        return PythonText.Strip(text);
    }
}
