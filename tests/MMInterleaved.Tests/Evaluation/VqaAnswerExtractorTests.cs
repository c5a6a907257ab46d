using MMInterleaved.Evaluation;
using Xunit;

namespace MMInterleaved.Tests.Evaluation;

public class VqaAnswerExtractorTests
{
    [Theory]
    [InlineData("The answer is two.", "two")]
    [InlineData("There are 3 dogs, maybe.", "3 dogs")]
    [InlineData("It is a dog", "dog")]
    [InlineData("a cup of tea", "cup")]
    [InlineData("red or blue", "red")]
    [InlineData("cats and dogs", "cats")]
    [InlineData("\"yes\"", "yes")]
    [InlineData("Yes!\nbecause it is", "yes")]
    [InlineData("  Blue  ", "blue")]
    public void Keeps_the_short_answer(string response, string expected) => Assert.Equal(expected, VqaAnswerExtractor.Extract(response));

    [Theory]
    // Substring tests: "banana " contains "a ", so the text after it is kept.
    [InlineData("banana bread", "bread")]
    // "this " contains "is ": Python's split("is ")[1] is the text between the first two occurrences, here empty.
    [InlineData("This is red", "")]
    public void Reproduces_the_substring_quirks(string response, string expected) => Assert.Equal(expected, VqaAnswerExtractor.Extract(response));
}
