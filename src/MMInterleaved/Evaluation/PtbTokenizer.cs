using System.Globalization;
using System.Text;

namespace MMInterleaved.Evaluation;

/// <summary>
/// The COCO caption toolkit's tokenisation (pycocoevalcap <c>PTBTokenizer</c>): each caption, with newlines turned
/// into spaces, goes through Stanford CoreNLP's <c>PTBTokenizer -preserveLines -lowerCase</c> (the toolkit ships
/// CoreNLP 3.4.1), and tokens equal to one of <see cref="PunctuationTokens"/> are dropped.
/// <para>
/// This is a re-implementation of the PTBLexer rules that matter for English captions, following CoreNLP's
/// <c>PTBLexer.flex</c> with its longest-match semantics (trailing context counts towards the match length, ties go
/// to the earlier rule):
/// </para>
/// <list type="bullet">
/// <item>punctuation is split off words; runs of <c>?</c>/<c>!</c> are one token ("?!" is not in the toolkit's
/// list, so it survives); "..." (3–5 dots, ". . .", "…") is one token "..."; "--" and "—"/"–" become "--";</item>
/// <item>clitics: "don't" → "do n't", "can't" → "ca n't", "cannot" → "can not", "it's" → "it 's", "we're" →
/// "we 're" (also 'm 'd 've 'll, and with ’); "cats'" → "cats '"; "o'clock", "ma'am", "O'Neill", "y'all" → "y' all",
/// "'til", "'em", "'90s" as the lexer keeps them;</item>
/// <item>quotes: " becomes `` before a letter/digit/$ and '' otherwise; ' before a letter and a non-space becomes
/// `; curly quotes map to ` ' `` ''; all of these are then dropped;</item>
/// <item>brackets: ( ) [ ] &lt; &gt; become -LRB- / -RRB-, { } become -LCB- / -RCB-. <b>Quirk kept:</b> CoreNLP
/// lower-cases <em>after</em> escaping, so they reach the toolkit as "-lrb-", "-rrb-", "-lcb-", "-rcb-", which its
/// upper-case punctuation list does not match: they stay in the scored text;</item>
/// <item>hyphenated and underscored words stay together ("black-and-white", "3.5-inch"); numbers keep their commas,
/// periods and colons ("2,000", "3.5", "10:30", "-5"); "and/or", "24/7", "1/2" are one token; "1 1/2" is one token
/// holding a non-breaking space (which the scorers' whitespace split then separates);</item>
/// <item>abbreviations keep their period: titles and the lexer's other abbreviation lists ("Mr.", "St.", "etc."),
/// single letters ("a."), and acronyms ("U.S.", "p.m.");</item>
/// <item>"|" and "\" are deleted; characters outside the Basic Multilingual Plane (emoji) and control characters
/// are deleted as the lexer's untokenizable characters; other symbols are single tokens; ¢ £ € become "cents", "#",
/// "$"; ¼ ½ ¾ ⅓ become "1/4" "1/2" "3/4" "1/3"; everything is lower-cased at the end.</item>
/// </list>
/// <para>
/// Not covered: SGML/HTML tags, URLs, e-mail addresses, phone numbers and character entities (tokenised as their
/// parts here); the sentence-final duplicated period after an abbreviation (it would be dropped anyway); the
/// Americanize rewriting of British spellings and the backslash escaping of "/" and "*" that older CoreNLP releases
/// applied by default (not reproduced: words and slashes are kept as written); a carriage return or other line
/// separator inside a caption, which in the toolkit shifts every later caption onto the wrong image, is treated as a
/// space.
/// </para>
/// </summary>
public static class PtbTokenizer
{
    /// <summary>The tokens pycocoevalcap removes after tokenisation (its <c>PUNCTUATIONS</c>).</summary>
    public static IReadOnlyList<string> PunctuationTokens { get; } =
        ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"];

    private static readonly HashSet<string> Punctuation = new(PunctuationTokens, StringComparer.Ordinal);

    /// <summary>
    /// A caption as the toolkit scores it: tokenised, lower-cased, punctuation tokens removed, joined by single spaces.
    /// </summary>
    public static string Tokenize(string caption) =>
        string.Join(' ', TokenizeLine(caption.Replace('\n', ' ')).Where(t => !Punctuation.Contains(t)));

    /// <summary>
    /// The tokens CoreNLP's <c>PTBTokenizer -lowerCase</c> prints for one line of text, before the toolkit removes
    /// punctuation tokens.
    /// </summary>
    public static IReadOnlyList<string> TokenizeLine(string line)
    {
        var tokens = new List<string>();
        new Lexer(line, tokens).Run();
        for (int i = 0; i < tokens.Count; i++) tokens[i] = tokens[i].ToLower(CultureInfo.InvariantCulture);
        return tokens;
    }

    /// <summary>A hand-written equivalent of the subset of PTBLexer's rules described on <see cref="PtbTokenizer"/>.</summary>
    private sealed class Lexer(string text, List<string> tokens)
    {
        private readonly string s = text;
        private int n => s.Length;

        // A candidate match: Length includes trailing context (it decides the longest match), Consumed is what the
        // token takes from the input, Priority is the rule's place in PTBLexer.flex (lower wins ties).
        private readonly record struct Match(int Length, int Priority, int Consumed, string? Token);

        public void Run()
        {
            int i = 0;
            while (i < n)
            {
                char c = s[i];
                if (IsSkipped(c)) { i++; continue; }
                Match? best = null;
                foreach (var m in Candidates(i))
                    if (best is not Match b || m.Length > b.Length || (m.Length == b.Length && m.Priority < b.Priority)) best = m;
                if (best is Match chosen)
                {
                    if (chosen.Token is not null) tokens.Add(chosen.Token);
                    i += chosen.Consumed;
                }
                else i += Fallback(i);
            }
        }

        private IEnumerable<Match> Candidates(int i)
        {
            char c = s[i];
            if (c == '"')
            {
                yield return new Match(1, 50, 1, i + 1 < n && (IsAsciiLetterOrDigit(s[i + 1]) || s[i + 1] == '$') ? "``" : "''");
                yield break;
            }
            if (c == '\'' || IsQuoteClass(c))
            {
                foreach (var m in QuoteCandidates(i)) yield return m;
                // "’90s" etc. are handled above; a curly apostrophe never starts a word.
                yield break;
            }
            if (IsLetter(c) || char.IsDigit(c))
            {
                foreach (var m in WordCandidates(i)) yield return m;
                yield break;
            }
            foreach (var m in SymbolCandidates(i)) yield return m;
        }

        // ---- words, numbers and everything starting with a letter or digit ----

        private IEnumerable<Match> WordCandidates(int i)
        {
            int letters = Run(i, IsLetter);
            string word = s.Substring(i, letters);

            // cannot → can + not (the rule pushes back "not").
            if (letters == 6 && word.Equals("cannot", StringComparison.OrdinalIgnoreCase)) yield return new Match(6, 0, 3, RemoveSoftHyphens(s.Substring(i, 3)));

            if (letters > 0)
            {
                // {WORD}/{REDAUX}: the word before 's 'm 'd 're 've 'll.
                int clitic = Clitic(i + letters);
                if (clitic > 0) yield return new Match(letters + clitic, 1, letters, RemoveSoftHyphens(word));

                // {SWORD}/{SREDAUX}: "don't" → "do" (then "n't").
                int ascii = Run(i, ch => IsAsciiLetter(ch) || ch == '\u00AD');
                int end = i + ascii;
                if (ascii >= 2 && (s[end - 1] is 'n' or 'N') && end + 1 < n && IsAposEtc(s[end]) && (s[end + 1] is 't' or 'T')
                    && !(s[end - 2] is 'n' or 'N'))
                    yield return new Match(ascii + 2, 2, ascii - 1, RemoveSoftHyphens(s.Substring(i, ascii - 1)));

                yield return new Match(letters, 3, letters, RemoveSoftHyphens(word));

                foreach (var m in ApostropheWords(i, letters)) yield return m;

                // {SREDAUX}: "n't" itself.
                if ((s[i] is 'n' or 'N') && i + 2 < n && IsAposEtc(s[i + 1]) && (s[i + 2] is 't' or 'T'))
                    yield return new Match(3, 5, 3, LatexQuotes(s.Substring(i, 3), probablyLeft: false));
            }

            int number = NumberLength(i);
            if (number > 0) yield return new Match(number, 6, number, RemoveSoftHyphens(s.Substring(i, number)));

            int fraction = FractionLength(i);
            if (fraction > 0) yield return new Match(fraction, 7, fraction, s.Substring(i, fraction).Replace(' ', '\u00A0'));

            // {TBSPEC}: "pro-" and "anti-" with nothing after the hyphen.
            if ((word.Equals("pro", StringComparison.OrdinalIgnoreCase) || word.Equals("anti", StringComparison.OrdinalIgnoreCase)) && At(i + letters) == '-')
                yield return new Match(letters + 1, 8, letters + 1, s.Substring(i, letters + 1));

            int slashed = SlashedLength(i);
            if (slashed > 0) yield return new Match(slashed, 9, slashed, s.Substring(i, slashed));

            // {DOLSIGN}: "US$".
            int capitals = Run(i, ch => ch is >= 'A' and <= 'Z');
            if (capitals > 0 && At(i + capitals) == '$') yield return new Match(capitals + 1, 10, capitals + 1, s.Substring(i, capitals + 1));

            foreach (var m in Abbreviations(i, letters, word)) yield return m;

            // {WORD}\./{INSENTP}: "etc.," keeps its period.
            if (letters > 0 && At(i + letters) == '.' && IsInSentencePunctuation(At(i + letters + 1)))
                yield return new Match(letters + 2, 12, letters + 1, RemoveSoftHyphens(s.Substring(i, letters + 1)));

            int hyphenated = HyphenatedLength(i);
            if (hyphenated > 0)
            {
                yield return new Match(hyphenated, 13, hyphenated, RemoveSoftHyphens(s.Substring(i, hyphenated)));
                if (At(i + hyphenated) == '.' && IsInSentencePunctuation(At(i + hyphenated + 1)))
                    yield return new Match(hyphenated + 2, 13, hyphenated + 1, RemoveSoftHyphens(s.Substring(i, hyphenated + 1)));
            }

            int thing = ThingLength(i);
            if (thing > 0)
            {
                yield return new Match(thing, 14, thing, s.Substring(i, thing));
                if (At(i + thing) == '.' && IsInSentencePunctuation(At(i + thing + 1)))
                    yield return new Match(thing + 2, 14, thing + 1, s.Substring(i, thing + 1));
            }

            // {THINGA}: "AT&T".
            int thingA = CapitalsJoinedLength(i);
            if (thingA > 0) yield return new Match(thingA, 15, thingA, s.Substring(i, thingA));
        }

        // {APOWORD} and {APOWORD2}: words that keep an inner apostrophe.
        private IEnumerable<Match> ApostropheWords(int i, int letters)
        {
            char c = s[i];
            // [A-HJ-XZn]'[letter]{2,}: "O'Neill" (character classes are case-sensitive in JFlex even when %caseless).
            if (((c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'X') || c == 'Z' || c == 'n') && i + 1 < n && IsAposEtc(s[i + 1]))
            {
                int after = Run(i + 2, IsLetter);
                if (after >= 2) yield return new Match(2 + after, 4, 2 + after, s.Substring(i, 2 + after));
            }
            // [letter]+[aeiouy]'[aeiouA-Z][letter]*: "ma'am", "Shi'ite".
            if (letters >= 2 && "aeiouyAEIOUY".Contains(s[i + letters - 1]) && i + letters + 1 < n && IsAposEtc(s[i + letters]))
            {
                char next = s[i + letters + 1];
                if ("aeiou".Contains(next) || (next >= 'A' && next <= 'Z'))
                {
                    int length = letters + 2 + Run(i + letters + 2, IsLetter);
                    yield return new Match(length, 4, length, s.Substring(i, length));
                }
            }
            // [lLdDjJ]' alone, and a few literal words ending in an apostrophe.
            if (letters == 1 && "lLdDjJ".Contains(c) && i + 1 < n && IsApos(s[i + 1])) yield return new Match(2, 4, 2, s.Substring(i, 2));
            if (letters > 0 && i + letters < n && IsApos(s[i + letters]))
            {
                string word = s.Substring(i, letters);
                if (word.Equals("dunkin", StringComparison.OrdinalIgnoreCase) || word.Equals("somethin", StringComparison.OrdinalIgnoreCase) || word.Equals("ol", StringComparison.OrdinalIgnoreCase))
                    yield return new Match(letters + 1, 4, letters + 1, s.Substring(i, letters + 1));
            }
            foreach (string literal in LiteralApostropheWords)
                if (string.Compare(s, i, literal, 0, literal.Length, StringComparison.OrdinalIgnoreCase) == 0)
                    yield return new Match(literal.Length, 4, literal.Length, s.Substring(i, literal.Length));
            // y'/[letter]: "y'all" → "y'" + "all".
            if ((c is 'y' or 'Y') && i + 2 < n && IsApos(s[i + 1]) && IsLetter(s[i + 2])) yield return new Match(3, 4, 2, s.Substring(i, 2));
        }

        private static readonly string[] LiteralApostropheWords = ["cont'd.", "cont'd", "nor'easter", "c'mon", "e'er", "s'mores", "ev'ry", "li'l", "nat'l"];

        // Abbreviations keep their period: {ABBREV1}, {ABBREV2} (titles, single letters, acronyms), {ACRO}/{SPACENL}.
        private IEnumerable<Match> Abbreviations(int i, int letters, string word)
        {
            int acronym = AcronymLength(i);
            if (acronym > 0)
            {
                if (At(i + acronym) == '.') yield return new Match(acronym + 1, 11, acronym + 1, s.Substring(i, acronym + 1));
                if (i + acronym >= n || IsSpaceOrNewline(s[i + acronym])) yield return new Match(acronym + 1, 11, acronym, s.Substring(i, acronym));
            }
            if (letters > 0 && At(i + letters) == '.' && IsAbbreviation(word))
                yield return new Match(letters + 1, 11, letters + 1, s.Substring(i, letters + 1));
        }

        // ---- quotes and apostrophes ----

        private IEnumerable<Match> QuoteCandidates(int i)
        {
            char c = s[i];
            int clitic = IsApos(c) ? Clitic(i) : 0;
            if (clitic > 0)
            {
                // {REDAUX}/[^A-Za-z] early in the file, plain {REDAUX} late. The end of a caption is a newline in the
                // file the toolkit writes, so it counts as a non-letter.
                if (i + clitic >= n || !IsAsciiLetter(s[i + clitic])) yield return new Match(clitic + 1, 1, clitic, LatexQuotes(s.Substring(i, clitic), false));
                else yield return new Match(clitic, 20, clitic, LatexQuotes(s.Substring(i, clitic), false));
            }
            if (IsApos(c))
            {
                // {APOWORD} forms that start with an apostrophe: 'n' 'n 'em 'til 'till 'cause '90s.
                if ((At(i + 1) is 'n' or 'N'))
                    yield return IsApos(At(i + 2)) ? new Match(3, 4, 3, s.Substring(i, 3)) : new Match(2, 4, 2, s.Substring(i, 2));
                foreach (string tail in new[] { "em", "till", "til", "cause" })
                    if (string.Compare(s, i + 1, tail, 0, tail.Length, StringComparison.OrdinalIgnoreCase) == 0 && i + 1 + tail.Length <= n)
                        yield return new Match(1 + tail.Length, 4, 1 + tail.Length, s.Substring(i, 1 + tail.Length));
                if (At(i + 1) is >= '2' and <= '9' && At(i + 2) == '0' && (At(i + 3) is 's' or 'S'))
                    yield return new Match(4, 4, 4, s.Substring(i, 4));
                // {TBSPEC2}: '99 before a space.
                if (char.IsAsciiDigit(At(i + 1)) && char.IsAsciiDigit(At(i + 2)) && (i + 3 >= n || IsSpaceOrNewline(s[i + 3])))
                    yield return new Match(4, 10, 3, s.Substring(i, 3));
            }
            if (c == '\'' && string.Compare(s, i, "'twas", 0, 5, StringComparison.OrdinalIgnoreCase) == 0)
                yield return new Match(5, 4, 5, s.Substring(i, 5));
            // '/[A-Za-z][^ \t\n\r\u00A0]: an opening single quote.
            if (c == '\'' && i + 2 < n && IsAsciiLetter(s[i + 1]) && s[i + 2] is not (' ' or '\t' or '\n' or '\r' or '\u00A0'))
                yield return new Match(3, 15, 1, "`");
            // {QUOTES}: ' or '' or one or two quote characters.
            int length = c == '\'' ? (At(i + 1) == '\'' ? 2 : 1) : (IsQuoteClass(At(i + 1)) ? 2 : 1);
            yield return new Match(length, 21, length, LatexQuotes(s.Substring(i, length), probablyLeft: false));
        }

        // ---- everything else ----

        private IEnumerable<Match> SymbolCandidates(int i)
        {
            char c = s[i];
            switch (c)
            {
                case '-' or '+':
                {
                    int number = NumberLength(i + 1);
                    if (number > 0) yield return new Match(number + 1, 6, number + 1, RemoveSoftHyphens(s.Substring(i, number + 1)));
                    if (c == '+') { yield return new Match(1, 40, 1, "+"); yield break; }
                    foreach (string special in new[] { "-LRB-", "-RRB-", "-LCB-", "-RCB-", "-LSB-", "-RSB-" })
                        if (string.Compare(s, i, special, 0, special.Length, StringComparison.OrdinalIgnoreCase) == 0 && i + special.Length <= n)
                            yield return new Match(special.Length, 8, special.Length, s.Substring(i, special.Length));
                    int hyphens = Run(i, ch => ch == '-');
                    yield return new Match(hyphens, 40, hyphens, hyphens is 3 or 4 ? "--" : s.Substring(i, hyphens));
                    yield break;
                }
                case '.':
                {
                    int number = NumberLength(i);
                    if (number > 0) yield return new Match(number, 6, number, s.Substring(i, number));
                    int dots = EllipsisLength(i);
                    if (dots > 0) yield return new Match(dots, 41, dots, "...");
                    yield return new Match(1, 42, 1, ".");
                    yield break;
                }
                case ',' or ':' or ';':
                {
                    int number = c == ';' ? 0 : NumberLength(i);
                    if (number > 0) yield return new Match(number, 6, number, s.Substring(i, number));
                    yield return new Match(1, 41, 1, c.ToString());
                    yield break;
                }
                case '?' or '!':
                {
                    int run = Run(i, ch => ch is '?' or '!');
                    yield return new Match(run, 41, run, s.Substring(i, run));
                    yield break;
                }
                case '(' or '[' or '<': yield return new Match(1, 41, 1, "-LRB-"); yield break;
                case ')' or ']' or '>': yield return new Match(1, 41, 1, "-RRB-"); yield break;
                case '{': yield return new Match(1, 41, 1, "-LCB-"); yield break;
                case '}': yield return new Match(1, 41, 1, "-RCB-"); yield break;
                case '*' or '@' or '#' or '_':
                {
                    int run = Run(i, ch => ch == c);
                    yield return new Match(run, 41, run, s.Substring(i, run));
                    yield break;
                }
                case '|' or '\\' or '\u007F': yield return new Match(1, 41, 1, null); yield break;
                case '\u2013' or '\u2014' or '\u2015' or '\u0096' or '\u0097': yield return new Match(1, 41, 1, "--"); yield break;
                case '\u2026': yield return new Match(1, 41, 1, "..."); yield break;
                case '\u00A2': yield return new Match(1, 41, 1, "cents"); yield break;
                case '\u00A3': yield return new Match(1, 41, 1, "#"); yield break;
                case '\u0080' or '\u00A4' or '\u20A0' or '\u20AC': yield return new Match(1, 41, 1, "$"); yield break;
                case '\u00BC': yield return new Match(1, 41, 1, "1/4"); yield break;
                case '\u00BD': yield return new Match(1, 41, 1, "1/2"); yield break;
                case '\u00BE': yield return new Match(1, 41, 1, "3/4"); yield break;
                case '\u2153': yield return new Match(1, 41, 1, "1/3"); yield break;
            }
        }

        // Characters no rule above takes: untokenizable ones (controls, astral-plane characters) are deleted, other
        // symbols become one-character tokens.
        private int Fallback(int i)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < n && char.IsLowSurrogate(s[i + 1])) return 2;
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                return 1;
            tokens.Add(c.ToString());
            return 1;
        }

        // ---- lengths of the lexer's regular expressions at position i (0: no match) ----

        // APOS([msd]|re|ve|ll) with the apostrophe at i.
        private int Clitic(int i)
        {
            if (i + 1 >= n || !IsApos(s[i])) return 0;
            char a = s[i + 1];
            if (i + 2 < n)
            {
                string two = s.Substring(i + 1, 2);
                if (two.Equals("re", StringComparison.OrdinalIgnoreCase) || two.Equals("ve", StringComparison.OrdinalIgnoreCase) || two.Equals("ll", StringComparison.OrdinalIgnoreCase)) return 3;
            }
            return a is 'm' or 's' or 'd' or 'M' or 'S' or 'D' ? 2 : 0;
        }

        // NUMBER = [-+]?(DIGIT+ | DIGIT*([.:,]DIGIT+)+), without the sign.
        private int NumberLength(int i)
        {
            int j = i + Run(i, char.IsDigit);
            int groups = 0;
            while (j + 1 < n && s[j] is '.' or ':' or ',' or '\u00AD' or '\u066B' or '\u066C' && char.IsDigit(s[j + 1]))
            {
                j += 1 + Run(j + 1, char.IsDigit);
                groups++;
            }
            return j > i && (groups > 0 || char.IsDigit(s[i])) ? j - i : 0;
        }

        // FRAC = ({DIGIT}{1,4}[- \u00A0])?{DIGIT}{1,4}(\\?\/|\u2044){DIGIT}{1,4}
        private int FractionLength(int i)
        {
            int Simple(int at)
            {
                int a = Run(at, char.IsDigit);
                if (a < 1 || a > 4) return 0;
                int j = at + a;
                if (At(j) == '\\' && At(j + 1) == '/') j += 2;
                else if (At(j) is '/' or '\u2044') j += 1;
                else return 0;
                int b = Run(j, char.IsDigit);
                return b is >= 1 and <= 4 ? j + b - at : 0;
            }
            int whole = Run(i, char.IsDigit);
            if (whole is >= 1 and <= 4 && At(i + whole) is '-' or ' ' or '\u00A0')
            {
                int rest = Simple(i + whole + 1);
                if (rest > 0) return whole + 1 + rest;
            }
            return Simple(i);
        }

        // THING3 = [A-Za-z0-9]+(-[A-Za-z]+){0,2}(\\?\/[A-Za-z0-9]+(-[A-Za-z]+){0,2}){1,2}
        private int SlashedLength(int i)
        {
            int Part(int at)
            {
                int j = at + Run(at, IsAsciiLetterOrDigit);
                if (j == at) return 0;
                for (int k = 0; k < 2 && At(j) == '-' && IsAsciiLetter(At(j + 1)); k++) j += 1 + Run(j + 1, IsAsciiLetter);
                return j - at;
            }
            int first = Part(i);
            if (first == 0) return 0;
            int end = i + first, slashes = 0;
            while (slashes < 2)
            {
                int j = end;
                if (At(j) == '\\' && At(j + 1) == '/') j += 2;
                else if (At(j) == '/') j += 1;
                else break;
                int part = Part(j);
                if (part == 0) break;
                end = j + part;
                slashes++;
            }
            return slashes > 0 ? end - i : 0;
        }

        // ACRO = [A-Za-z](\.[A-Za-z])+
        private int AcronymLength(int i)
        {
            if (!IsAsciiLetter(s[i])) return 0;
            int j = i + 1;
            while (At(j) == '.' && IsAsciiLetter(At(j + 1))) j += 2;
            return j - i >= 3 ? j - i : 0;
        }

        // HTHING = [A-Za-z0-9][A-Za-z0-9.,\u00AD]*(-([A-Za-z0-9\u00AD]+|{ACRO}\.))+
        private int HyphenatedLength(int i)
        {
            if (!IsAsciiLetterOrDigit(s[i])) return 0;
            int j = i + 1 + Run(i + 1, ch => IsAsciiLetterOrDigit(ch) || ch is '.' or ',' or '\u00AD');
            int parts = 0;
            while (At(j) == '-')
            {
                int acronym = j + 1 < n ? AcronymLength(j + 1) : 0;
                int plain = Run(j + 1, ch => IsAsciiLetterOrDigit(ch) || ch == '\u00AD');
                int part = acronym > 0 && At(j + 1 + acronym) == '.' && acronym + 1 > plain ? acronym + 1 : plain;
                if (part == 0) break;
                j += 1 + part;
                parts++;
            }
            return parts > 0 ? j - i : 0;
        }

        // THING = ([dDoOlL]{APOSETCETERA}([:letter:]|[:digit:]))?([:letter:]|[:digit:])+({HYPHEN}(same))*
        private int ThingLength(int i)
        {
            int Part(int at)
            {
                if (at < n && "dDoOlL".Contains(s[at]) && IsAposEtc(At(at + 1)) && IsLetterOrDigit(At(at + 2)) && IsLetterOrDigit(At(at + 3)))
                    return 3 + Run(at + 3, IsLetterOrDigit);
                return Run(at, IsLetterOrDigit);
            }
            int first = Part(i);
            if (first == 0) return 0;
            int j = i + first;
            while (IsThingHyphen(At(j)))
            {
                int part = Part(j + 1);
                if (part == 0) break;
                j += 1 + part;
            }
            return j - i;
        }

        // THINGA = [A-Z]+(([+&]|&amp;)[A-Z]+)+
        private int CapitalsJoinedLength(int i)
        {
            static bool Capital(char ch) => ch is >= 'A' and <= 'Z';
            int j = i + Run(i, Capital);
            if (j == i) return 0;
            int joins = 0;
            while (At(j) is '+' or '&' && Capital(At(j + 1)))
            {
                j += 1 + Run(j + 1, Capital);
                joins++;
            }
            return joins > 0 ? j - i : 0;
        }

        // LDOTS = \.{3,5}|(\.[ \u00A0]){2,4}\.
        private int EllipsisLength(int i)
        {
            int dots = Run(i, ch => ch == '.');
            int spaced = 0;
            while (spaced < 4 && At(i + 2 * spaced) == '.' && At(i + 2 * spaced + 1) is ' ' or '\u00A0') spaced++;
            // ". . . x" has three ". " pairs but the pattern needs a final "."; back off to the longest that has one.
            while (spaced >= 2 && At(i + 2 * spaced) != '.') spaced--;
            int spacedLength = spaced >= 2 ? 2 * spaced + 1 : 0;
            int plain = dots >= 3 ? Math.Min(dots, 5) : 0;
            return Math.Max(plain, spacedLength);
        }

        private int Run(int i, Func<char, bool> predicate)
        {
            int j = i;
            while (j < n && predicate(s[j])) j++;
            return j - i;
        }

        private char At(int i) => i >= 0 && i < n ? s[i] : '\0';
    }

    // ---- character classes ----

    private static bool IsSkipped(char c) => char.IsWhiteSpace(c) || c is '\0' or '\u200B' or '\u200E' or '\u200F' or '\uFEFF';

    private static bool IsSpaceOrNewline(char c) => char.IsWhiteSpace(c);

    private static bool IsLetter(char c) =>
        char.IsLetter(c) || c == '\u00AD' || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    private static bool IsLetterOrDigit(char c) => char.IsLetterOrDigit(c);

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    private static bool IsAsciiLetterOrDigit(char c) => IsAsciiLetter(c) || c is >= '0' and <= '9';

    private static bool IsInSentencePunctuation(char c) => c is ',' or ';' or ':';

    private static bool IsThingHyphen(char c) => c is '-' or '_' or '\u058A' or '\u2010' or '\u2011';

    // APOS = ['\u0092\u2019]; APOSETCETERA adds [\u0091\u2018\u201B].
    private static bool IsApos(char c) => c is '\'' or '\u0092' or '\u2019';

    private static bool IsAposEtc(char c) => IsApos(c) || c is '\u0091' or '\u2018' or '\u201B';

    // The bracketed class of QUOTES: [`\u2018\u2019\u201A\u201B\u201C\u201D\u0091\u0092\u0093\u0094\u201E\u201F\u2039\u203A\u00AB\u00BB]
    private static bool IsQuoteClass(char c) =>
        c is '`' or '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u201C' or '\u201D' or '\u0091' or '\u0092' or '\u0093'
            or '\u0094' or '\u201E' or '\u201F' or '\u2039' or '\u203A' or '\u00AB' or '\u00BB';

    // latexQuotes: ASCII quotes by position, typographic ones by their shape.
    private static string LatexQuotes(string token, bool probablyLeft)
    {
        var text = new StringBuilder(token.Length + 2);
        foreach (char c in token)
            text.Append(c switch
            {
                '\'' => probablyLeft ? "`" : "'",
                '"' => probablyLeft ? "``" : "''",
                '\u0091' or '\u2018' or '\u201B' or '\u2039' => "`",
                '\u0092' or '\u2019' or '\u203A' => "'",
                '\u0093' or '\u201C' or '\u00AB' => "``",
                '\u0094' or '\u201D' or '\u00BB' => "''",
                _ => c.ToString(),
            });
        return text.ToString();
    }

    private static string RemoveSoftHyphens(string token) => token.Replace("\u00AD", "", StringComparison.Ordinal);

    // The lexer's abbreviation lists (ABMONTH, ABDAYS, ABSTATE, ABCOMP, ABCOMP2, ABNUM, ABPTIT, ABTITLE, and etc/al/seq,
    // vs, Alex, Wm, Jos, Cie, cf, TREAS) and single letters; they match case-insensitively except the entries the
    // lexer writes with a bracketed capital ([A]rk, [I]ll, [M]ass, [M]iss, [O]re, [W]ash).
    private static readonly HashSet<string> AbbreviationsAnyCase = new(StringComparer.OrdinalIgnoreCase)
    {
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        "Mon", "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri",
        "Ala", "Ariz", "Calif", "Colo", "Conn", "Dak", "Del", "Fla", "Ga", "Ind", "Kan", "Kans", "Ky", "La", "Md", "Mich",
        "Minn", "Mo", "Mont", "Neb", "Nev", "Okla", "Pa", "Penn", "Tenn", "Tex", "Va", "Vt", "Wis", "Wisc", "Wyo",
        "Inc", "Co", "Cos", "Corp", "Pty", "Ptys", "Ppty", "Pptys", "Ltd", "Plc", "Bancorp", "Dept", "Bhd", "Assn", "Univ", "Intl", "Sys",
        "Invt", "Elec", "Natl", "Mfg", "Mtg",
        "No", "Nos", "Prop", "Ph", "tel", "est", "ext", "sq", "ft",
        "Jr", "Sr", "Bros", "Blvd", "Rd", "Esq",
        "Mr", "Mrs", "Ms", "Dr", "Drs", "Prof", "Profs", "Sen", "Sens", "Rep", "Reps", "Atty", "Attys", "Lt", "Col", "Gen", "Messrs",
        "Gov", "Govs", "Adm", "Rev", "Maj", "Sgt", "Cpl", "Pvt", "Mt", "Capt", "St", "Ste", "Ave", "Pres", "Lieut", "Hon", "Brig",
        "Cmdr", "Comdr", "Pfc", "Spc", "Supt", "Supts", "Det",
        "etc", "al", "seq", "vs", "Alex", "Wm", "Jos", "Cie", "cf", "TREAS",
    };

    private static readonly HashSet<string> AbbreviationsCapitalised = new(StringComparer.Ordinal)
    {
        "Ark", "Ill", "Mass", "Miss", "Ore", "Wash",
    };

    private static bool IsAbbreviation(string word) =>
        (word.Length == 1 && IsAsciiLetter(word[0])) || AbbreviationsAnyCase.Contains(word) || IsCapitalisedAbbreviation(word);

    // [A]rk etc.: the first letter must be a capital, the rest matches in any case.
    private static bool IsCapitalisedAbbreviation(string word) =>
        word.Length > 1 && char.IsUpper(word[0]) &&
        AbbreviationsCapitalised.Contains(word[0] + word[1..].ToLowerInvariant());
}
