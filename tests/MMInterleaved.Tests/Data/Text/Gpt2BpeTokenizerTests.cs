using MMInterleaved.Data.Text;
using Xunit;

namespace MMInterleaved.Tests.Data.Text;

public class Gpt2BpeTokenizerTests
{
    [Fact]
    public void Encodes_to_the_known_gpt2_ids_and_round_trips()
    {
        var tokenizer = new Gpt2BpeTokenizer();
        var ids = tokenizer.Encode("a photo of a cat");
        Assert.Equal([64, 4590, 286, 257, 3797], ids); // "a", " photo", " of", " a", " cat"
        Assert.Equal("a photo of a cat", tokenizer.Decode(ids.Select(i => (long)i)));
        const string text = "Based on the image, please answer the question. The answer is: (12,340)(99,5)";
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text).Select(i => (long)i)));
    }

    [Fact]
    public void Specials_lie_above_the_gpt2_vocabulary()
    {
        var tokenizer = new Gpt2BpeTokenizer();
        var s = tokenizer.Specials;
        Assert.Equal(50262, tokenizer.VocabSize);
        Assert.All(new[] { s.Bos, s.Eos, s.Pad, s.BeginOfImage, s.Image }, id => Assert.InRange(id, 50257, tokenizer.VocabSize - 1));
        Assert.All(tokenizer.Encode("<s> hello </s> <|image|>"), id => Assert.InRange(id, 0, 50255));
        Assert.Equal([5303, Gpt2BpeTokenizer.EndOfTextId, 8117], tokenizer.Encode("hi<|endoftext|>there")); // GPT-2's own, not a model special
        long[] row = [s.Bos, s.BeginOfImage, s.Image, 3797, s.Eos, s.Pad];
        Assert.Equal(" cat", tokenizer.Decode(row));
        Assert.Equal("<s><|beginofimage|><|image|> cat</s><pad>", tokenizer.Decode(row, skipSpecial: false));
    }
}
