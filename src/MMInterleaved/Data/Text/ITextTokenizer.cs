using MMInterleaved.Model;

namespace MMInterleaved.Data.Text;

/// <summary>
/// A text tokenizer for the model: plain text to ids and back, plus the ids of the model's special tokens in this
/// vocabulary. <see cref="Encode"/> never adds the model's specials and never reads them out of the text (the sequence
/// builder places &lt;s&gt;, &lt;/s&gt;, &lt;|beginofimage|&gt; and &lt;|image|&gt; as ids), so text cannot forge an image block.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>A short name for reports (for example <c>word-64</c>, <c>gpt2</c>).</summary>
    string Name { get; }

    /// <summary>Rows the model's embedding and head need: every id this tokenizer can produce is below this.</summary>
    int VocabSize { get; }

    /// <summary>The special-token ids, in the model's record (pass it as <c>ModelConfig.Tokens</c>).</summary>
    SpecialTokens Specials { get; }

    /// <summary>Ids of <paramref name="text"/>, without any special token.</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Text of <paramref name="ids"/>; with <paramref name="skipSpecial"/> special tokens are left out (as
    /// evaluation decodes with <c>skip_special_tokens</c>), otherwise written as their names.</summary>
    string Decode(IEnumerable<long> ids, bool skipSpecial = true);
}
