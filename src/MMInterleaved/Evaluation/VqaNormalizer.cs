using System.Text.RegularExpressions;

namespace MMInterleaved.Evaluation;

/// <summary>
/// The answer normalisation of the official VQA evaluation script (<c>vqaEval.py</c> of GT-Vision-Lab/VQA, as copied
/// into MM-Interleaved): <see cref="ProcessPunctuation"/> then <see cref="ProcessDigitArticle"/>, with its tables
/// reproduced entry for entry. <see cref="VqaEvaluator"/> applies them only when a question's human answers disagree.
/// </summary>
public static class VqaNormalizer
{
    /// <summary>The script's punctuation list, in its order (the order matters: each is replaced in turn).</summary>
    public static IReadOnlyList<string> Punctuation { get; } =
        [";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"];

    /// <summary>The script's <c>manualMap</c>: number words zero…ten (and "none") to digits.</summary>
    public static IReadOnlyDictionary<string, string> NumberWords { get; } = new Dictionary<string, string>
    {
        ["none"] = "0", ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4",
        ["five"] = "5", ["six"] = "6", ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10",
    };

    /// <summary>The articles the script drops.</summary>
    public static IReadOnlyList<string> Articles { get; } = ["a", "an", "the"];

    /// <summary>
    /// The script's contractions table, all 120 entries as written there. Its quirks are kept: keys with capitals
    /// ("Im", "Ive", "Id've", "I'dve") never match because the text is lower-cased first, and "somebody'd" maps to
    /// "somebodyd".
    /// </summary>
    public static IReadOnlyDictionary<string, string> Contractions { get; } = new Dictionary<string, string>
    {
        ["aint"] = "ain't", ["arent"] = "aren't", ["cant"] = "can't", ["couldve"] = "could've",
        ["couldnt"] = "couldn't", ["couldn'tve"] = "couldn't've", ["couldnt've"] = "couldn't've",
        ["didnt"] = "didn't", ["doesnt"] = "doesn't", ["dont"] = "don't", ["hadnt"] = "hadn't",
        ["hadnt've"] = "hadn't've", ["hadn'tve"] = "hadn't've", ["hasnt"] = "hasn't", ["havent"] = "haven't",
        ["hed"] = "he'd", ["hed've"] = "he'd've", ["he'dve"] = "he'd've", ["hes"] = "he's", ["howd"] = "how'd",
        ["howll"] = "how'll", ["hows"] = "how's", ["Id've"] = "I'd've", ["I'dve"] = "I'd've", ["Im"] = "I'm",
        ["Ive"] = "I've", ["isnt"] = "isn't", ["itd"] = "it'd", ["itd've"] = "it'd've", ["it'dve"] = "it'd've",
        ["itll"] = "it'll", ["let's"] = "let's", ["maam"] = "ma'am", ["mightnt"] = "mightn't",
        ["mightnt've"] = "mightn't've", ["mightn'tve"] = "mightn't've", ["mightve"] = "might've",
        ["mustnt"] = "mustn't", ["mustve"] = "must've", ["neednt"] = "needn't", ["notve"] = "not've",
        ["oclock"] = "o'clock", ["oughtnt"] = "oughtn't", ["ow's'at"] = "'ow's'at", ["'ows'at"] = "'ow's'at",
        ["'ow'sat"] = "'ow's'at", ["shant"] = "shan't", ["shed've"] = "she'd've", ["she'dve"] = "she'd've",
        ["she's"] = "she's", ["shouldve"] = "should've", ["shouldnt"] = "shouldn't",
        ["shouldnt've"] = "shouldn't've", ["shouldn'tve"] = "shouldn't've", ["somebody'd"] = "somebodyd",
        ["somebodyd've"] = "somebody'd've", ["somebody'dve"] = "somebody'd've", ["somebodyll"] = "somebody'll",
        ["somebodys"] = "somebody's", ["someoned"] = "someone'd", ["someoned've"] = "someone'd've",
        ["someone'dve"] = "someone'd've", ["someonell"] = "someone'll", ["someones"] = "someone's",
        ["somethingd"] = "something'd", ["somethingd've"] = "something'd've", ["something'dve"] = "something'd've",
        ["somethingll"] = "something'll", ["thats"] = "that's", ["thered"] = "there'd", ["thered've"] = "there'd've",
        ["there'dve"] = "there'd've", ["therere"] = "there're", ["theres"] = "there's", ["theyd"] = "they'd",
        ["theyd've"] = "they'd've", ["they'dve"] = "they'd've", ["theyll"] = "they'll", ["theyre"] = "they're",
        ["theyve"] = "they've", ["twas"] = "'twas", ["wasnt"] = "wasn't", ["wed've"] = "we'd've",
        ["we'dve"] = "we'd've", ["weve"] = "we've", ["werent"] = "weren't", ["whatll"] = "what'll",
        ["whatre"] = "what're", ["whats"] = "what's", ["whatve"] = "what've", ["whens"] = "when's",
        ["whered"] = "where'd", ["wheres"] = "where's", ["whereve"] = "where've", ["whod"] = "who'd",
        ["whod've"] = "who'd've", ["who'dve"] = "who'd've", ["wholl"] = "who'll", ["whos"] = "who's",
        ["whove"] = "who've", ["whyll"] = "why'll", ["whyre"] = "why're", ["whys"] = "why's", ["wont"] = "won't",
        ["wouldve"] = "would've", ["wouldnt"] = "wouldn't", ["wouldnt've"] = "wouldn't've",
        ["wouldn'tve"] = "wouldn't've", ["yall"] = "y'all", ["yall'll"] = "y'all'll", ["y'allll"] = "y'all'll",
        ["yall'd've"] = "y'all'd've", ["y'alld've"] = "y'all'd've", ["y'all'dve"] = "y'all'd've", ["youd"] = "you'd",
        ["youd've"] = "you'd've", ["you'dve"] = "you'd've", ["youll"] = "you'll", ["youre"] = "you're",
        ["youve"] = "you've",
    };

    // commaStrip = (\d)(\,)(\d): a comma between digits ("2,000") makes every punctuation mark vanish instead of
    // becoming a space.
    private static readonly Regex CommaInNumber = new(@"(\d)(,)(\d)", RegexOptions.CultureInvariant);

    // periodStrip = (?!<=\d)(\.)(?!\d). "(?!<=\d)" is a typo for a look-behind: as a look-ahead for the text "<=digit"
    // at a position holding "." it always holds, so the pattern is "a period not followed by a digit".
    private static readonly Regex PeriodNotBeforeDigit = new(@"\.(?!\d)", RegexOptions.CultureInvariant);

    /// <summary>
    /// The most periods <see cref="ProcessPunctuation"/> removes: the script calls <c>periodStrip.sub("", text,
    /// re.UNICODE)</c>, passing the flag re.UNICODE (= 32) where <c>sub</c> expects <c>count</c>.
    /// </summary>
    public const int PeriodStripCount = 32;

    /// <summary>
    /// The script's <c>processPunctuation</c>: for each mark of <see cref="Punctuation"/> in turn, if the
    /// <em>original</em> text has the mark followed by a space, or a space followed by the mark, or a comma between
    /// digits anywhere, every occurrence of the mark is deleted; otherwise each is replaced by a space. Then periods
    /// not followed by a digit are deleted (at most <see cref="PeriodStripCount"/> of them).
    /// </summary>
    public static string ProcessPunctuation(string text)
    {
        bool commaInNumber = CommaInNumber.IsMatch(text);
        string output = text;
        foreach (string mark in Punctuation)
        {
            bool delete = text.Contains(mark + " ", StringComparison.Ordinal) || text.Contains(" " + mark, StringComparison.Ordinal) || commaInNumber;
            output = output.Replace(mark, delete ? "" : " ", StringComparison.Ordinal);
        }
        return PeriodNotBeforeDigit.Replace(output, "", PeriodStripCount);
    }

    /// <summary>
    /// The script's <c>processDigitArticle</c>: lower-case, split on whitespace, map number words to digits, drop
    /// articles, expand contractions by the table, and join with single spaces.
    /// </summary>
    public static string ProcessDigitArticle(string text)
    {
        var words = new List<string>();
        foreach (string raw in PythonText.Split(PythonText.Lower(text)))
        {
            string word = NumberWords.TryGetValue(raw, out var digit) ? digit : raw;
            if (!Articles.Contains(word)) words.Add(word);
        }
        for (int i = 0; i < words.Count; i++)
            if (Contractions.TryGetValue(words[i], out var expanded)) words[i] = expanded;
        return string.Join(' ', words);
    }

    /// <summary>Both steps, in the script's order: <see cref="ProcessPunctuation"/> then <see cref="ProcessDigitArticle"/>.</summary>
    public static string Normalize(string text) => ProcessDigitArticle(ProcessPunctuation(text));
}
