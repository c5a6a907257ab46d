using System.Text.Json;
using System.Text.Json.Nodes;

namespace MMInterleaved.Data.Text;

/// <summary>
/// <c>tokenizer.json</c> of a pipeline folder: the word tokenizer's own file (kind <c>mmi-word-tokenizer</c>: pieces and
/// special tokens with their ids), or a GPT-2 BPE marker (kind <c>mmi-gpt2-bpe</c>: the vocabulary ships with the
/// Microsoft.ML.Tokenizers data package, so the file only names it and its special ids). A damaged or unknown file is an
/// InvalidDataException naming it.
/// </summary>
public static class TokenizerFile
{
    /// <summary>File name in a pipeline folder.</summary>
    public const string FileName = "tokenizer.json";
    private const string Gpt2Kind = "mmi-gpt2-bpe";

    /// <summary>Writes <paramref name="tokenizer"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(ITextTokenizer tokenizer, string path) => Runtime.AtomicFile.WriteAllText(path, ToJson(tokenizer));

    /// <summary>The tokenizer.json text of <paramref name="tokenizer"/>.</summary>
    public static string ToJson(ITextTokenizer tokenizer)
    {
        switch (tokenizer)
        {
            case WordTokenizer word:
                return word.ToJson();
            case Gpt2BpeTokenizer gpt2:
                var specials = gpt2.Specials;
                return new JsonObject
                {
                    ["kind"] = Gpt2Kind,
                    ["specialTokens"] = new JsonObject { ["<s>"] = specials.Bos, ["</s>"] = specials.Eos, ["<pad>"] = specials.Pad,
                        ["<|beginofimage|>"] = specials.BeginOfImage, ["<|image|>"] = specials.Image },
                }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            default:
                throw new NotSupportedException($"{tokenizer.GetType().Name} has no tokenizer.json format; the pipeline saves WordTokenizer and Gpt2BpeTokenizer.");
        }
    }

    /// <summary>Reads a tokenizer.json written by <see cref="Save"/> (or by earlier versions of the workbench).</summary>
    public static ITextTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer not found: {path}", path);
        string text = File.ReadAllText(path);
        string? kind;
        try { kind = (JsonNode.Parse(text) as JsonObject)?["kind"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a tokenizer file ({e.Message.Split('\n')[0]}).", e);
        }
        return kind switch
        {
            Gpt2Kind => new Gpt2BpeTokenizer(),
            null => throw new InvalidDataException($"{path}: not a tokenizer file (no \"kind\"; expected mmi-word-tokenizer or {Gpt2Kind})."),
            _ => WordTokenizer.Load(path),
        };
    }
}
