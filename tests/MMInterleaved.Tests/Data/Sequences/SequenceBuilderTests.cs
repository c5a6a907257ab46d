using MMInterleaved.Data;
using MMInterleaved.Data.Sequences;
using MMInterleaved.Data.Text;
using Xunit;
using static MMInterleaved.Tests.Data.Sequences.SequenceFixtures;

namespace MMInterleaved.Tests.Data.Sequences;

public class SequenceBuilderTests
{
    private const long Bos = 1, Eos = 2, BoI = 62, Img = 63;

    [Fact]
    public void Image_prompt_answer_gives_bos_image_block_prompt_answer_eos_with_prompt_and_block_flagged()
    {
        var doc = Builder().Build(Vqa(1, 0.5), 7).Validated(Tokenizer.Specials);
        long[] prompt = Ids(Questions[1].Prompt), answer = Ids(Questions[1].Answer);
        long[] expected = [Bos, BoI, Img, Img, Img, Img, .. prompt, .. answer, Eos];
        Assert.Equal(expected, doc.Ids);
        bool[] flags = [false, true, false, false, false, false, .. prompt.Select(_ => false), .. answer.Select(_ => true), true];
        Assert.Equal(flags, doc.Targets);
        Assert.Equal([1], doc.ImageStarts);
        Assert.Single(doc.Images);
        Assert.Equal(7, doc.Index);
        Assert.Equal("vqa-1", doc.Id);
        Assert.Equal("how many dogs are there? 2", Tokenizer.Decode(doc.Ids));
    }

    [Fact]
    public void A_boi_after_target_text_is_a_target_and_one_inside_a_prompt_is_not()
    {
        var doc = Builder().Build(new InterleavedDocument([new TextSegment("is it", Target: false), Image(0), new TextSegment("raining?", Target: false),
            new TextSegment("no"), Image(1)]), 0);
        Assert.Equal([3, 11], doc.ImageStarts);
        Assert.False(doc.Targets[3]);   // inside the prompt
        Assert.True(doc.Targets[11]);   // after the answer: learn to emit an image
        Assert.True(doc.Targets[^1]);
        Assert.False(doc.Targets[0]);
    }

    [Fact]
    public void Adjacent_text_segments_get_one_space_and_text_next_to_an_image_none()
    {
        var gpt2 = new Gpt2BpeTokenizer();
        var builder = new SequenceBuilder(gpt2, 2);
        var qa = builder.Build(new InterleavedDocument([new TextSegment("The answer is: ", Target: false), new TextSegment("  cat")]), 0);
        Assert.Equal(gpt2.Encode("The answer is: cat").Select(i => (long)i), qa.Ids[1..^1]);
        var interleaved = builder.Build(new InterleavedDocument([new TextSegment("a dog "), Image(0), new TextSegment(" runs")]), 0);
        var s = gpt2.Specials;
        long[] expected = [s.Bos, .. gpt2.Encode("a dog").Select(i => (long)i), s.BeginOfImage, s.Image, s.Image, .. gpt2.Encode("runs").Select(i => (long)i), s.Eos];
        Assert.Equal(expected, interleaved.Ids);
        var empty = builder.Build(new InterleavedDocument([new TextSegment("  "), Image(0)]), 0);
        Assert.Equal([s.Bos, s.BeginOfImage, s.Image, s.Image, s.Eos], empty.Ids);
    }

    [Fact]
    public void Pair_order_is_a_seeded_fair_coin_and_other_documents_keep_their_order()
    {
        var builder = Builder(new SequenceBuilderOptions { RandomPairOrder = true, Seed = 11 });
        int imageFirst = Enumerable.Range(0, 10_000).Count(i => builder.ImageFirst(i));
        Assert.InRange(imageFirst, 4_800, 5_200);
        var again = Builder(new SequenceBuilderOptions { RandomPairOrder = true, Seed = 11 });
        var other = Builder(new SequenceBuilderOptions { RandomPairOrder = true, Seed = 12 });
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(builder.ImageFirst(i), again.ImageFirst(i)));
        Assert.Contains(Enumerable.Range(0, 200), i => builder.ImageFirst(i) != other.ImageFirst(i));

        long[] caption = Ids(Captions[0]);
        for (int i = 0; i < 40; i++)
        {
            var doc = builder.Build(Pair(0, i), i);
            long[] expected = builder.ImageFirst(i)
                ? [Bos, BoI, Img, Img, Img, Img, .. caption, Eos]
                : [Bos, .. caption, BoI, Img, Img, Img, Img, Eos];
            Assert.Equal(expected, doc.Ids);
        }
        var multi = Mixed(2);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(Builder().Build(multi, i).Ids, builder.Build(multi, i).Ids));
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(caption, Builder().Build(Pair(0, i), i).Ids[1..(1 + caption.Length)]));
    }

    [Fact]
    public void Pair_captions_can_be_lower_cased_and_prompts_have_no_eos()
    {
        var gpt2 = new Gpt2BpeTokenizer();
        var builder = new SequenceBuilder(gpt2, 2, new SequenceBuilderOptions { LowerCasePairCaptions = true });
        var doc = builder.Build(new InterleavedDocument([Image(0), new TextSegment("A Dog")]), 0);
        Assert.Equal(gpt2.Encode("a dog").Select(i => (long)i), doc.Ids[4..^1]);
        var prompt = Builder().BuildPrompt(Vqa(0, 0), dropTrailingTargetText: true);
        Assert.Equal(Ids(Questions[0].Prompt), prompt.Ids[6..]);          // no answer, no </s>
        var whole = Builder().BuildPrompt(Vqa(0, 0));
        Assert.Equal([.. Ids(Questions[0].Prompt), .. Ids(Questions[0].Answer)], whole.Ids[6..]);
        Assert.Throws<ArgumentException>(() => new SequenceBuilderOptions { ImageFirstProbability = 1.5 }.Validated());
        Assert.Throws<ArgumentException>(() => new SequenceBuilder(Tokenizer, 0));
    }

    [Fact]
    public void Validation_names_malformed_image_blocks()
    {
        var doc = Builder().Build(Vqa(0, 0), 0);
        var broken = doc with { Ids = [.. doc.Ids[..3], 5, .. doc.Ids[4..]] };
        Assert.Contains("exactly 4 <|image|>", Assert.Throws<ArgumentException>(() => broken.Validated(Tokenizer.Specials)).Message);
        Assert.Contains("Targets", Assert.Throws<ArgumentException>(() => (doc with { Targets = [true] }).Validated(Tokenizer.Specials)).Message);
    }
}
