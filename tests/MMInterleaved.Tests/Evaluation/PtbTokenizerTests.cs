using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class PtbTokenizerTests
{
    private static string Raw(string text) => string.Join(' ', PtbTokenizer.TokenizeLine(text));

    [Theory]
    [InlineData("A dog on a sofa.", "a dog on a sofa .")]
    [InlineData("Hello, world; end: yes!", "hello , world ; end : yes !")]
    [InlineData("A RED Bus", "a red bus")]
    public void Splits_punctuation_off_words_and_lower_cases(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Theory]
    [InlineData("I don't know", "i do n't know")]
    [InlineData("They can't go", "they ca n't go")]
    [InlineData("It won't", "it wo n't")]
    [InlineData("DON'T", "do n't")]
    [InlineData("don\u2019t", "do n't")]
    [InlineData("it's a cat", "it 's a cat")]
    [InlineData("the man's dog", "the man 's dog")]
    [InlineData("we're here, they'll come", "we 're here , they 'll come")]
    [InlineData("I'm sure I'd say you've", "i 'm sure i 'd say you 've")]
    [InlineData("the cats' toys", "the cats ' toys")]
    [InlineData("you cannot", "you can not")]
    public void Splits_clitics_as_the_treebank_does(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Theory]
    [InlineData("at six o'clock", "at six o'clock")]
    [InlineData("ma'am", "ma'am")]
    [InlineData("O'Neill", "o'neill")]
    [InlineData("y'all", "y' all")]
    [InlineData("rock 'n' roll", "rock 'n' roll")]
    public void Keeps_words_with_an_inner_apostrophe(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Theory]
    [InlineData("he said \"hello\" to me", "he said `` hello '' to me")]
    [InlineData("a 'quoted' word", "a ` quoted ' word")]
    [InlineData("\u201Cbig\u201D and \u2018small\u2019", "`` big '' and ` small '")]
    public void Turns_quotes_into_latex_quotes(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Fact]
    public void Drops_quote_tokens()
    {
        Assert.Equal("he said hello to me", PtbTokenizer.Tokenize("He said \"hello\" to me."));
        Assert.Equal("a quoted word", PtbTokenizer.Tokenize("a 'quoted' word"));
        Assert.Equal("the cats toys", PtbTokenizer.Tokenize("The cats' toys"));
    }

    [Fact]
    public void Brackets_are_escaped_and_lower_cased_after_escaping_so_the_toolkit_keeps_them()
    {
        Assert.Equal("a dog -lrb- black -rrb- on -lrb- a -rrb- sofa -lcb- x -rcb-", Raw("a dog (black) on [a] sofa {x}"));
        // pycocoevalcap lists "-LRB-" etc. in upper case, so the lower-cased tokens survive its filter.
        Assert.Equal("a dog -lrb- black -rrb-", PtbTokenizer.Tokenize("A dog (black)."));
    }

    [Theory]
    [InlineData("a black-and-white cat", "a black-and-white cat")]
    [InlineData("a snake_case name", "a snake_case name")]
    [InlineData("a 3.5-inch screen", "a 3.5-inch screen")]
    [InlineData("a 3-way stop", "a 3-way stop")]
    public void Keeps_hyphenated_words_together(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Theory]
    [InlineData("2,000 people", "2,000 people")]
    [InlineData("3.5 dogs at 10:30", "3.5 dogs at 10:30")]
    [InlineData("a score of -5", "a score of -5")]
    [InlineData("the 1990s and 2nd", "the 1990s and 2nd")]
    [InlineData("and/or 24/7 1/2", "and/or 24/7 1/2")]
    public void Keeps_numbers_whole(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Theory]
    [InlineData("wait... what?!", "wait ... what ?!")]
    [InlineData("wait\u2026 no", "wait ... no")]
    [InlineData("a dog. . . running", "a dog ... running")]
    [InlineData("a dog.. running", "a dog . . running")]
    [InlineData("a dog -- running", "a dog -- running")]
    [InlineData("a dog\u2014running", "a dog -- running")]
    [InlineData("a dog --- running", "a dog -- running")]
    public void Handles_ellipses_and_dashes(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Fact]
    public void Removes_exactly_the_toolkits_punctuation_tokens()
    {
        Assert.Equal("wait what ?!", PtbTokenizer.Tokenize("Wait... what?!"));
        Assert.Equal("a dog running fast yes", PtbTokenizer.Tokenize("A dog -- running; fast: yes!"));
        Assert.Equal(17, PtbTokenizer.PunctuationTokens.Count);
    }

    [Theory]
    [InlineData("Mr. Smith", "mr. smith")]
    [InlineData("a U.S. flag", "a u.s. flag")]
    [InlineData("at 5 p.m. today", "at 5 p.m. today")]
    [InlineData("cats, dogs, etc.", "cats , dogs , etc.")]
    public void Abbreviations_keep_their_period(string text, string tokens) => Assert.Equal(tokens, Raw(text));

    [Fact]
    public void Newlines_inside_a_caption_are_spaces() => Assert.Equal("a dog on a sofa", PtbTokenizer.Tokenize("A dog\non a sofa."));

    [Fact]
    public void Fixture_style_captions_tokenise_as_the_fixture_readme_describes() =>
        Assert.Equal("a green star at the top left and a red seven on the right", PtbTokenizer.Tokenize("A green star at the top left and a red seven on the right."));
}
