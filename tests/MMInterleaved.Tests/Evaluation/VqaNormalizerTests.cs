using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class VqaNormalizerTests
{
    [Theory]
    [InlineData("blue!", "blue ")]              // no space next to "!": replaced by a space
    [InlineData("left-side", "left side")]
    [InlineData("left - side", "left  side")]   // " -" occurs: deleted
    [InlineData("yes, no", "yes no")]           // ", " occurs: deleted
    [InlineData("a,b", "a b")]
    [InlineData("(x)", " x ")]
    [InlineData("don't", "don't")]              // the apostrophe is not in the list
    public void Punctuation_is_deleted_next_to_a_space_else_replaced_by_one(string text, string expected) =>
        Assert.Equal(expected, VqaNormalizer.ProcessPunctuation(text));

    [Theory]
    [InlineData("2,000", "2000")]
    [InlineData("1,000 (approx)", "1000 approx")] // a comma between digits makes every mark vanish
    [InlineData("a,b 1,2", "ab 12")]
    public void A_comma_between_digits_deletes_all_punctuation(string text, string expected) =>
        Assert.Equal(expected, VqaNormalizer.ProcessPunctuation(text));

    [Theory]
    [InlineData("u.s.", "us")]
    [InlineData("2.5", "2.5")]
    [InlineData("end.", "end")]
    [InlineData("3.14.", "3.14")]
    [InlineData(".5", ".5")]
    public void Periods_not_followed_by_a_digit_are_deleted(string text, string expected) =>
        Assert.Equal(expected, VqaNormalizer.ProcessPunctuation(text));

    [Fact]
    public void At_most_32_periods_are_deleted_because_re_UNICODE_is_passed_as_the_count()
    {
        string text = string.Concat(Enumerable.Repeat("a.", 40));
        string result = VqaNormalizer.ProcessPunctuation(text);
        Assert.Equal(8, result.Count(c => c == '.'));
        Assert.StartsWith(new string('a', 32) + "a.", result);
    }

    [Theory]
    [InlineData("two dogs", "2 dogs")]
    [InlineData("Ten", "10")]
    [InlineData("none", "0")]
    [InlineData("zero one three four five six seven eight nine", "0 1 3 4 5 6 7 8 9")]
    [InlineData("eleven", "eleven")]
    public void Number_words_become_digits(string text, string expected) => Assert.Equal(expected, VqaNormalizer.ProcessDigitArticle(text));

    [Theory]
    [InlineData("the cat", "cat")]
    [InlineData("A dog and an apple", "dog and apple")]
    [InlineData("a an the", "")]
    [InlineData("  the   red  ball ", "red ball")]
    public void Articles_are_dropped_and_whitespace_collapsed(string text, string expected) => Assert.Equal(expected, VqaNormalizer.ProcessDigitArticle(text));

    [Theory]
    [InlineData("dont know", "don't know")]
    [InlineData("Whats up", "what's up")]
    [InlineData("im", "im")]                      // the table's key is "Im", which lower-cased text never matches
    [InlineData("somebody'd", "somebodyd")]       // the table maps this one backwards
    [InlineData("youre", "you're")]
    public void Contractions_follow_the_official_table(string text, string expected) => Assert.Equal(expected, VqaNormalizer.ProcessDigitArticle(text));

    [Fact]
    public void The_tables_are_complete()
    {
        Assert.Equal(120, VqaNormalizer.Contractions.Count);
        Assert.Equal(12, VqaNormalizer.NumberWords.Count);
        Assert.Equal(21, VqaNormalizer.Punctuation.Count);
    }

    [Theory]
    [InlineData("Blue!", "blue")]
    [InlineData("The Two Dogs.", "2 dogs")]
    [InlineData("u.s.", "us")]
    public void Normalize_runs_both_steps(string text, string expected) => Assert.Equal(expected, VqaNormalizer.Normalize(text));
}
