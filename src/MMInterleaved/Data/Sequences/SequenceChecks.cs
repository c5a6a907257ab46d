using MMInterleaved.Model;

namespace MMInterleaved.Data.Sequences;

/// <summary>Shared validation of token rows.</summary>
internal static class SequenceChecks
{
    public static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }

    /// <summary>Each start is &lt;|beginofimage|&gt; followed by exactly <paramref name="k"/> &lt;|image|&gt;, and no other
    /// &lt;|beginofimage|&gt; or &lt;|image|&gt; occurs.</summary>
    public static void CheckImageBlocks(long[] ids, int[] starts, int k, SpecialTokens tokens, string owner)
    {
        var inBlock = new bool[ids.Length];
        for (int i = 0; i < starts.Length; i++)
        {
            int s = starts[i];
            Require(s >= 0 && s + k < ids.Length && ids[s] == tokens.BeginOfImage,
                $"{owner}: ImageStarts[{i}] is {s}; it must be the position of a <|beginofimage|> ({tokens.BeginOfImage}) followed by {k} <|image|>.");
            for (int j = 0; j <= k; j++)
            {
                Require(j == 0 || ids[s + j] == tokens.Image,
                    $"{owner}: image {i} at {s} has id {ids[s + j]} at offset {j}; an image block is <|beginofimage|> then exactly {k} <|image|> ({tokens.Image}).");
                inBlock[s + j] = true;
            }
            Require(s + k + 1 >= ids.Length || ids[s + k + 1] != tokens.Image,
                $"{owner}: image {i} at {s} has more than {k} <|image|> placeholders.");
        }
        for (int t = 0; t < ids.Length; t++)
            Require(inBlock[t] || (ids[t] != tokens.BeginOfImage && ids[t] != tokens.Image),
                $"{owner}: position {t} holds an image token ({ids[t]}) outside the listed image blocks.");
    }
}
