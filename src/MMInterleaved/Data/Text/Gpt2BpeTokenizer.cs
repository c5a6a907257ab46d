using System.Text;
using Microsoft.ML.Tokenizers;
using MMInterleaved.Model;

namespace MMInterleaved.Data.Text;

/// <summary>
/// GPT-2 byte-level BPE (Microsoft.ML.Tokenizers with its bundled GPT-2 data, fully offline) for natural text and real
/// data. Ids 0..50255 are the BPE pieces and 50256 is GPT-2's &lt;|endoftext|&gt; (the library reads that literal out of the
/// text; to the model it is an ordinary row, and Decode skips it with skipSpecial); the model's specials follow: &lt;s&gt; 50257, &lt;/s&gt; 50258, pad 50259, &lt;|beginofimage|&gt; 50260,
/// &lt;|image|&gt; 50261, so <see cref="VocabSize"/> is 50262. Text is not normalised (case and spaces are kept; GPT-2 marks
/// a word's leading space inside the piece, so "cat" and " cat" differ).
/// </summary>
public sealed class Gpt2BpeTokenizer : ITextTokenizer
{
    /// <summary>GPT-2's own vocabulary size (BPE pieces plus &lt;|endoftext|&gt;).</summary>
    public const int BpeVocabSize = 50257;
    /// <summary>GPT-2's &lt;|endoftext|&gt;.</summary>
    public const int EndOfTextId = 50256;
    /// <summary>The model's specials, appended after the GPT-2 ids.</summary>
    public const int BosId = 50257, EosId = 50258, PadId = 50259, BeginOfImageId = 50260, ImageId = 50261;

    // The BPE tables take a moment to load; one shared instance (encoding and decoding are thread-safe).
    private static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <inheritdoc/>
    public string Name => "gpt2";
    /// <inheritdoc/>
    public int VocabSize => ImageId + 1;
    /// <inheritdoc/>
    public SpecialTokens Specials { get; } =
        new SpecialTokens(Bos: BosId, Eos: EosId, Pad: PadId, BeginOfImage: BeginOfImageId, Image: ImageId).Validated(ImageId + 1);

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text) => Shared.Value.EncodeToIds(text);

    /// <inheritdoc/>
    public string Decode(IEnumerable<long> ids, bool skipSpecial = true)
    {
        var sb = new StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count > 0) sb.Append(Shared.Value.Decode(run));
            run.Clear();
        }
        foreach (long id in ids)
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentException($"Gpt2BpeTokenizer.Decode: id {id} lies outside the vocabulary 0..{VocabSize - 1}.");
            if (id < EndOfTextId) { run.Add((int)id); continue; }
            if (skipSpecial) continue;
            Flush();
            sb.Append(id switch
            {
                EndOfTextId => "<|endoftext|>",
                BosId => "<s>",
                EosId => "</s>",
                PadId => "<pad>",
                BeginOfImageId => "<|beginofimage|>",
                _ => "<|image|>",
            });
        }
        Flush();
        return sb.ToString();
    }
}
