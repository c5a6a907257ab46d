using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MMInterleaved.Model;

namespace MMInterleaved.Data.Text;

/// <summary>
/// A small closed-vocabulary tokenizer for the tiny/small presets and synthetic tasks.
/// <para><b>Splitting.</b> Text is lower-cased (invariant culture; ’ becomes ') and split into pieces: a word is a run of
/// letters, optionally with inner apostrophes ("dog's", "don't"); every digit is its own piece (numbers are written digit
/// by digit, so 0–999 box coordinates need only the ten digits); a markup tag such as &lt;box&gt; or &lt;/box&gt; is one
/// piece; every other non-space character is its own piece. Whitespace only separates pieces.</para>
/// <para><b>Joining</b> (<see cref="Decode"/>): pieces are separated by one space, except: no space before
/// <c>, . ! ? ; : ) ] } %</c>; no space after <c>( [ {</c>; none between two digits; none around <c>-</c>, <c>/</c> and
/// tags; none between <c>)</c> and <c>(</c>; none after <c>,</c> <c>.</c> <c>:</c> that sit between digits. So
/// "(12,340)(99,5)", "&lt;box&gt;(1,2)(3,4)&lt;/box&gt;", "3.5", "t-shirt", "a man, a dog." and one-word/yes/no/number
/// answers round-trip exactly.
/// <see cref="Normalize"/> is split-then-join, and <c>Decode(Encode(x)) == Normalize(x)</c> whenever every piece is in
/// the vocabulary (unknown pieces become &lt;unk&gt;). Normalisation loses only spacing the rules cannot express, e.g.
/// "1 2" becomes "12" and "a (b) (c)" becomes "a (b)(c)".</para>
/// <para><b>Ids.</b> &lt;pad&gt; 0, &lt;s&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3, pieces from 4 (most frequent first, ties in ordinal
/// order), then unused ids, and &lt;|beginofimage|&gt;, &lt;|image|&gt; as the last two ids of the requested size (tiny: 62, 63
/// of 64; small: 510, 511 of 512), matching <see cref="ModelPresets"/>.</para>
/// </summary>
public sealed partial class WordTokenizer : ITextTokenizer
{
    /// <summary>Fixed ids of the specials at the start of the vocabulary.</summary>
    public const int PadId = 0, BosId = 1, EosId = 2, UnkId = 3, FirstWordId = 4;
    /// <summary>Names of the special tokens (what <c>Decode(ids, skipSpecial: false)</c> writes).</summary>
    public const string PadToken = "<pad>", BosToken = "<s>", EosToken = "</s>", UnkToken = "<unk>",
        BeginOfImageToken = "<|beginofimage|>", ImageToken = "<|image|>";
    /// <summary>Ids that are not pieces: the four leading specials and the two image tokens.</summary>
    public const int SpecialCount = 6;
    private const string FileKind = "mmi-word-tokenizer";

    private readonly string[] words;
    private readonly Dictionary<string, int> idOf;

    /// <inheritdoc/>
    public int VocabSize { get; }
    /// <inheritdoc/>
    public SpecialTokens Specials { get; }
    /// <inheritdoc/>
    public string Name => $"word-{VocabSize}";
    /// <summary>The pieces in id order (piece i has id <see cref="FirstWordId"/> + i).</summary>
    public IReadOnlyList<string> Words => words;

    private WordTokenizer(IReadOnlyList<string> pieces, int vocabSize)
    {
        int capacity = vocabSize - SpecialCount;
        if (vocabSize < SpecialCount)
            throw new ArgumentException($"WordTokenizer: vocabSize is {vocabSize}; it must be at least {SpecialCount} (the special tokens).");
        if (pieces.Count > capacity)
            throw new ArgumentException($"WordTokenizer: {pieces.Count} distinct pieces need a vocabulary of at least {pieces.Count + SpecialCount} " +
                $"({SpecialCount} specials + pieces), but vocabSize is {vocabSize}, which holds {capacity} pieces (ids {FirstWordId}..{vocabSize - 3}).");
        words = [.. pieces];
        VocabSize = vocabSize;
        Specials = new SpecialTokens(Bos: BosId, Eos: EosId, Pad: PadId, BeginOfImage: vocabSize - 2, Image: vocabSize - 1).Validated(vocabSize);
        idOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
        {
            var split = Split(words[i]);
            if (split.Count != 1 || split[0] != words[i])
                throw new ArgumentException($"WordTokenizer: '{words[i]}' is not a single normalised piece (it splits into [{string.Join(", ", split.Select(s => $"'{s}'"))}]).");
            if (!idOf.TryAdd(words[i], FirstWordId + i))
                throw new ArgumentException($"WordTokenizer: the piece '{words[i]}' appears twice.");
        }
    }

    /// <summary>
    /// Builds the vocabulary from a corpus: every piece of every string, most frequent first (ties in ordinal order).
    /// Throws, naming the number of distinct pieces and the size they need, when they do not fit in
    /// <paramref name="vocabSize"/> − 6 ids, unless <paramref name="keepMostFrequent"/> (the rest become &lt;unk&gt;).
    /// </summary>
    public static WordTokenizer FromCorpus(IEnumerable<string> corpus, int vocabSize, bool keepMostFrequent = false)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (var piece in Split(text))
                counts[piece] = counts.GetValueOrDefault(piece) + 1;
        var ordered = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        if (keepMostFrequent && vocabSize >= SpecialCount && ordered.Count > vocabSize - SpecialCount)
            ordered = ordered.Take(vocabSize - SpecialCount).ToList();
        return new WordTokenizer(ordered, vocabSize);
    }

    /// <summary>A vocabulary of exactly these pieces, in this order (each must be one normalised piece, no repeats).</summary>
    public static WordTokenizer FromWords(IEnumerable<string> pieces, int vocabSize) => new([.. pieces], vocabSize);

    /// <summary>Lower-cased pieces of <paramref name="text"/> (see the class remarks).</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        var lowered = text.Replace('\u2019', '\'').ToLowerInvariant();
        return PieceRegex().Matches(lowered).Select(m => m.Value).ToList();
    }

    /// <summary>Pieces joined with the spacing rules of the class remarks.</summary>
    public static string Join(IReadOnlyList<string> pieces)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pieces.Count; i++)
        {
            if (i > 0 && !Glued(i >= 2 ? pieces[i - 2] : null, pieces[i - 1], pieces[i])) sb.Append(' ');
            sb.Append(pieces[i]);
        }
        return sb.ToString();
    }

    /// <summary>The text as this tokenizer writes it back: <c>Join(Split(text))</c>.</summary>
    public static string Normalize(string text) => Join(Split(text));

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text) => Split(text).Select(p => idOf.TryGetValue(p, out int id) ? id : UnkId).ToList();

    /// <summary>Whether every piece of <paramref name="text"/> is in the vocabulary.</summary>
    public bool Covers(string text) => Split(text).All(idOf.ContainsKey);

    /// <summary>
    /// Text of the ids. Pieces are joined with the spacing rules; with <paramref name="skipSpecial"/> (default) pad,
    /// &lt;s&gt;, &lt;/s&gt;, &lt;unk&gt;, the image tokens and unused ids are left out (as HF's <c>skip_special_tokens</c>);
    /// otherwise &lt;unk&gt; (also for unused ids) is spaced like a word and the others are written by name with no spaces
    /// around them. Throws for ids outside the vocabulary.
    /// </summary>
    public string Decode(IEnumerable<long> ids, bool skipSpecial = true)
    {
        var sb = new StringBuilder();
        var run = new List<string>();
        void Flush() { sb.Append(Join(run)); run.Clear(); }
        foreach (long id in ids)
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentException($"WordTokenizer.Decode: id {id} lies outside the vocabulary 0..{VocabSize - 1}.");
            if (id >= FirstWordId && id < FirstWordId + words.Length) { run.Add(words[id - FirstWordId]); continue; }
            if (skipSpecial) continue;
            if (SpecialName(id) == UnkToken) { run.Add(UnkToken); continue; }
            Flush();
            sb.Append(SpecialName(id));
        }
        Flush();
        return sb.ToString();
    }

    private string SpecialName(long id) => id switch
    {
        PadId => PadToken,
        BosId => BosToken,
        EosId => EosToken,
        _ when id == VocabSize - 2 => BeginOfImageToken,
        _ when id == VocabSize - 1 => ImageToken,
        _ => UnkToken,
    };

    /// <summary>The special tokens by name with their ids (what tokenizer.json lists under <c>specialTokens</c>).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokenIds => new Dictionary<string, int>
    {
        [PadToken] = PadId, [BosToken] = BosId, [EosToken] = EosId, [UnkToken] = UnkId,
        [BeginOfImageToken] = Specials.BeginOfImage, [ImageToken] = Specials.Image,
    };

    /// <summary>The vocabulary as JSON (kind, size, the special tokens with their ids, pieces in id order).</summary>
    public string ToJson() => JsonSerializer.Serialize(new WordTokenizerFile(FileKind, VocabSize, SpecialTokenIds.ToDictionary(), words), JsonOptions);

    /// <summary>The tokenizer a <see cref="ToJson"/> text describes; the special tokens it lists (files of earlier
    /// versions list none) must sit at the ids this tokenizer gives them.</summary>
    public static WordTokenizer FromJson(string json)
    {
        WordTokenizerFile? file;
        try { file = JsonSerializer.Deserialize<WordTokenizerFile>(json, JsonOptions); }
        catch (JsonException e) { throw new ArgumentException($"WordTokenizer: not a tokenizer file: {e.Message}", e); }
        if (file is null) throw new ArgumentException("WordTokenizer: the JSON is empty.");
        if (file.Kind != FileKind)
            throw new ArgumentException($"WordTokenizer: kind is '{file.Kind}'; expected '{FileKind}'.");
        var tokenizer = new WordTokenizer(file.Words ?? [], file.VocabSize);
        foreach (var (name, id) in file.SpecialTokens ?? [])
            if (!tokenizer.SpecialTokenIds.TryGetValue(name, out int expected) || expected != id)
                throw new ArgumentException($"WordTokenizer: special token '{name}' has id {id}; a word tokenizer of size {file.VocabSize} has " +
                    string.Join(", ", tokenizer.SpecialTokenIds.Select(kv => $"{kv.Key} {kv.Value}")) + ".");
        return tokenizer;
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (ship it with a trained model).</summary>
    public void Save(string path) => Runtime.AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Reads a tokenizer written by <see cref="Save"/>; a damaged file is an InvalidDataException naming it.</summary>
    public static WordTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer not found: {path}", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private sealed record WordTokenizerFile(string Kind, int VocabSize, Dictionary<string, int>? SpecialTokens, string[]? Words);

    private const string NoSpaceBefore = ",.!?;:)]}%";
    private const string NoSpaceAfter = "([{";
    private const string Joiners = "-/";

    // Gluing never merges two pieces into one on re-splitting: it only happens next to a punctuation piece or between
    // digits, which split one by one; two words are always spaced. So Split(Join(p)) == p.
    private static bool Glued(string? beforePrevious, string previous, string next)
    {
        static bool IsDigit(string? s) => s is { Length: 1 } && char.IsDigit(s[0]);
        static bool IsOneOf(string s, string set) => s.Length == 1 && set.Contains(s[0]);
        if (IsDigit(previous) && IsDigit(next)) return true;
        if (IsOneOf(next, NoSpaceBefore) || IsOneOf(previous, NoSpaceAfter)) return true;
        if (IsOneOf(previous, Joiners) || IsOneOf(next, Joiners) || IsTag(previous) || IsTag(next)) return true;
        if (previous == ")" && next == "(") return true;                                       // boxes "(x1,y1)(x2,y2)"
        return IsOneOf(previous, ",.:") && IsDigit(beforePrevious) && IsDigit(next);             // "12,340", "3.5", "10:30"
    }

    private static bool IsTag(string s) => s.Length > 2 && s[0] == '<' && s[^1] == '>' && s != UnkToken;

    // a tag is one piece; a surrogate pair (an emoji) stays one piece
    [GeneratedRegex(@"</?[a-z]+>|\p{L}[\p{L}\p{M}]*(?:'[\p{L}\p{M}]+)*|\p{Nd}|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\s\p{L}\p{Nd}]", RegexOptions.CultureInvariant)]
    private static partial Regex PieceRegex();
}
