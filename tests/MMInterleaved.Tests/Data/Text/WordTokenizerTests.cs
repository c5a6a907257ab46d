using MMInterleaved.Data.Text;
using MMInterleaved.Model;
using Xunit;

namespace MMInterleaved.Tests.Data.Text;

public class WordTokenizerTests
{
    private static readonly string[] Answers = ["yes", "no", "cat", "2", "14", "999", "red", "unanswerable", "black and white"];
    private static readonly string[] Boxes = ["(12,340)(99,5)", "(000,999)(512,007)", "<box>(1,2)(3,4)</box>"];
    private static readonly string[] Captions =
    [
        "a man riding a horse on the beach.",
        "two dogs, one cat and a t-shirt",
        "it's 3.5 meters away; the dog's bone (left) is red!",
        "what color is the cup? the answer is: red",
        "a photo of 1,000 birds at 10:30 and/or later",
    ];

    private static WordTokenizer Tokenizer(int size = 512) => WordTokenizer.FromCorpus([.. Answers, .. Boxes, .. Captions], size);

    [Fact]
    public void Answers_boxes_and_captions_round_trip_exactly()
    {
        var tokenizer = Tokenizer();
        foreach (var text in Answers.Concat(Boxes).Concat(Captions))
        {
            Assert.Equal(text, WordTokenizer.Normalize(text));
            var ids = tokenizer.Encode(text);
            Assert.DoesNotContain(WordTokenizer.UnkId, ids);
            Assert.Equal(text, tokenizer.Decode(ids.Select(i => (long)i)));
        }
    }

    [Fact]
    public void Normalising_lower_cases_and_canonicalises_spaces()
    {
        Assert.Equal("a photo of a cat!", WordTokenizer.Normalize("  A Photo \n OF a   Cat !"));
        Assert.Equal("(12,340)(99,5)", WordTokenizer.Normalize("( 12 , 340 ) ( 99,5 )"));
        Assert.Equal("don't", WordTokenizer.Normalize("Don\u2019t"));
        var tokenizer = Tokenizer();
        Assert.Equal("a man, a horse.", tokenizer.Decode(tokenizer.Encode("A  MAN ,a horse .").Select(i => (long)i)));
    }

    [Fact]
    public void Numbers_are_written_digit_by_digit_so_boxes_need_thirteen_pieces()
    {
        Assert.Equal(["3", "4", "0"], WordTokenizer.Split("340"));
        var tokenizer = WordTokenizer.FromCorpus(["(0123,456)(789,0)"], 64);
        Assert.Equal(13, tokenizer.Words.Count); // ten digits and ( , )
        Assert.True(tokenizer.Covers("(999,0)(5,12)"));
    }

    [Fact]
    public void Splitting_what_was_joined_gives_the_same_pieces()
    {
        string[] alphabet = ["a", "dog", "it's", "0", "7", ",", ".", "(", ")", "-", "/", ":", "'", "<", ">", "<box>", "</box>", "box", "!", "\"", "%", "é", "😀"];
        var random = new Random(3);
        for (int trial = 0; trial < 2000; trial++)
        {
            var pieces = Enumerable.Range(0, random.Next(1, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToList();
            Assert.Equal(pieces, WordTokenizer.Split(WordTokenizer.Join(pieces)));
        }
    }

    [Fact]
    public void Specials_sit_at_fixed_ids_matching_the_presets()
    {
        Assert.Equal(ModelPresets.Tiny.Tokens, Tokenizer(64).Specials);
        Assert.Equal(ModelPresets.Small.Tokens, Tokenizer(512).Specials);
        var tokenizer = Tokenizer(64);
        Assert.Equal(64, tokenizer.VocabSize);
        Assert.Equal("word-64", tokenizer.Name);
        Assert.Equal("<s><|beginofimage|><|image|><|image|>yes</s><pad>",
            tokenizer.Decode([1, 62, 63, 63, tokenizer.Encode("yes")[0], 2, 0], skipSpecial: false));
        Assert.Equal("yes", tokenizer.Decode([1, 62, 63, 63, tokenizer.Encode("yes")[0], 2, 0]));
        Assert.Throws<ArgumentException>(() => tokenizer.Decode([64]));
    }

    [Fact]
    public void Order_is_by_frequency_then_ordinal_and_unknown_pieces_are_unk()
    {
        var tokenizer = WordTokenizer.FromCorpus(["b a b c", "c b"], 16);
        Assert.Equal(["b", "c", "a"], tokenizer.Words);
        Assert.Equal([4, 5, 6], tokenizer.Encode("b c a"));
        Assert.Equal([WordTokenizer.UnkId, 4], tokenizer.Encode("zebra b"));
        Assert.Equal("<unk> b", tokenizer.Decode([3, 4], skipSpecial: false));
        Assert.Equal("b", tokenizer.Decode([3, 4]));
        Assert.False(tokenizer.Covers("zebra"));
    }

    [Fact]
    public void A_corpus_too_large_for_the_size_says_how_many_ids_it_needs()
    {
        var corpus = Enumerable.Range(0, 60).Select(i => new string((char)('a' + i % 26), 1 + i / 26)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => WordTokenizer.FromCorpus(corpus, 64));
        Assert.Contains("60 distinct pieces", e.Message);
        Assert.Contains("at least 66", e.Message);
        Assert.Contains("vocabSize is 64", e.Message);
        var kept = WordTokenizer.FromCorpus(corpus, 64, keepMostFrequent: true);
        Assert.Equal(58, kept.Words.Count);
        Assert.Throws<ArgumentException>(() => WordTokenizer.FromCorpus([], 5));
    }

    [Fact]
    public void A_fixed_word_list_keeps_its_order_and_rejects_bad_pieces()
    {
        var tokenizer = WordTokenizer.FromWords(["yes", "no", "0", "1"], 64);
        Assert.Equal([4, 5, 6, 7], tokenizer.Encode("yes no 0 1"));
        Assert.Contains("'a b'", Assert.Throws<ArgumentException>(() => WordTokenizer.FromWords(["a b"], 64)).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => WordTokenizer.FromWords(["a", "a"], 64)).Message);
        Assert.Throws<ArgumentException>(() => WordTokenizer.FromWords(["Yes"], 64)); // not normalised
    }

    [Fact]
    public void Save_and_load_give_the_same_tokenizer()
    {
        var tokenizer = Tokenizer(128);
        string path = Path.Combine(Path.GetTempPath(), $"word-tokenizer-{Guid.NewGuid():N}.json");
        try
        {
            tokenizer.Save(path);
            var loaded = WordTokenizer.Load(path);
            Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
            Assert.Equal(tokenizer.Words, loaded.Words);
            Assert.Equal(tokenizer.Specials, loaded.Specials);
            foreach (var text in Captions) Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Contains("kind", Assert.Throws<ArgumentException>(() => WordTokenizer.FromJson("{\"kind\":\"other\",\"vocabSize\":64,\"words\":[]}")).Message);
    }
}
