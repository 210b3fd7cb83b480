using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MultiStage.DockerIgnoreMatching;

/// <summary>
/// One cleaned .dockerignore pattern, matched like moby's patternmatcher: the pattern is turned into a
/// regular expression over the whole slash-separated relative path, except three literal fast paths
/// whose semantics differ subtly from the expression and are therefore reproduced as such:
/// a pattern without wildcards compares exactly, <c>lit**</c> is a plain prefix test and
/// <c>**lit</c> a plain suffix test (so <c>**foo</c> also matches <c>barfoo</c>).
/// </summary>
internal sealed class DockerIgnorePattern
{
    private const string AnyRune = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^/])";

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }

    private readonly Kind _kind;
    private readonly string _literal;
    private readonly Regex? _regex;

    private DockerIgnorePattern(string text, bool exclusion, Kind kind, string literal, Regex? regex)
    {
        Text = text;
        IsException = exclusion;
        _kind = kind;
        _literal = literal;
        _regex = regex;
    }

    /// <summary>The cleaned pattern without its <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>True for <c>!pattern</c> lines, which re-include what earlier lines excluded.</summary>
    public bool IsException { get; }

    /// <summary>Builds a pattern from text already cleaned, <c>!</c> removed; throws <see cref="FormatException"/> on bad syntax.</summary>
    public static DockerIgnorePattern Compile(string text, bool exception)
    {
        ValidateGlobSyntax(text);

        var regex = new StringBuilder(@"\A");
        Kind kind = Kind.Exact;
        int position = 0;
        for (int index = 0; position < text.Length; index++)
        {
            char ch = text[position++];
            if (ch == '*')
            {
                if (position < text.Length && text[position] == '*')
                {
                    position++;
                    // "**/" is treated as "**".
                    if (position < text.Length && text[position] == '/')
                    {
                        position++;
                    }

                    if (position == text.Length)
                    {
                        // A trailing "**" accepts everything, like .gitignore.
                        if (kind == Kind.Exact)
                        {
                            kind = Kind.Prefix;
                        }
                        else
                        {
                            regex.Append(".*");
                            kind = Kind.Regex;
                        }
                    }
                    else
                    {
                        // Any number of directories, including none.
                        regex.Append("(?:.*/)?");
                        kind = Kind.Regex;
                    }

                    if (index == 0)
                    {
                        kind = Kind.Suffix;
                    }
                }
                else
                {
                    regex.Append("[^/]*");
                    kind = Kind.Regex;
                }
            }
            else if (ch == '?')
            {
                regex.Append(AnyRune);
                kind = Kind.Regex;
            }
            else if (ch == '\\')
            {
                // Validation guarantees a following character; an escaped character is literal.
                position = AppendLiteral(regex, text, position);
                kind = Kind.Regex;
            }
            else if (ch == '[')
            {
                position = AppendClass(regex, text, position);
                kind = Kind.Regex;
            }
            else if (ch == ']')
            {
                regex.Append(@"\]");
                kind = Kind.Regex;
            }
            else if (ch == '^')
            {
                // Passed through unescaped by the reference implementation: an anchor, not a literal.
                regex.Append('^');
            }
            else
            {
                position = AppendLiteral(regex, text, position - 1);
            }
        }

        switch (kind)
        {
            case Kind.Prefix:
                return new DockerIgnorePattern(text, exception, kind, text.Substring(0, text.Length - 2), null);
            case Kind.Suffix:
                return new DockerIgnorePattern(text, exception, kind, text.Substring(2), null);
            case Kind.Regex:
                regex.Append(@"\z");
                return new DockerIgnorePattern(text, exception, kind, text, new Regex(regex.ToString(), RegexOptions.CultureInvariant));
            default:
                return new DockerIgnorePattern(text, exception, kind, text, null);
        }
    }

    /// <summary>Whether this pattern matches the whole relative path (no parent logic).</summary>
    public bool Matches(string path)
    {
        switch (_kind)
        {
            case Kind.Exact:
                return string.Equals(path, _literal, StringComparison.Ordinal);
            case Kind.Prefix:
                return path.StartsWith(_literal, StringComparison.Ordinal);
            case Kind.Suffix:
                if (path.EndsWith(_literal, StringComparison.Ordinal))
                {
                    return true;
                }

                // "**/foo" also matches "foo" itself.
                return _literal.Length > 0 && _literal[0] == '/' && string.Equals(path, _literal.Substring(1), StringComparison.Ordinal);
            default:
                return _regex!.IsMatch(path);
        }
    }

    /// <summary>
    /// Conservative test whether this pattern could match some path strictly below <paramref name="directory"/>;
    /// false only when that is impossible. Used to avoid walking excluded directories.
    /// </summary>
    public bool CouldMatchBelow(string directory)
    {
        string below = directory + "/";
        switch (_kind)
        {
            case Kind.Exact:
                return _literal.StartsWith(below, StringComparison.Ordinal);
            case Kind.Prefix:
                return below.StartsWith(_literal, StringComparison.Ordinal) || _literal.StartsWith(below, StringComparison.Ordinal);
            case Kind.Suffix:
                return true;
        }

        // Escapes and classes that can match '/' defeat a per-segment comparison: assume a match.
        if (Text.Contains('\\') || ClassCanMatchSlash(Text))
        {
            return true;
        }

        string[] patternSegments = Text.Split('/');
        string[] directorySegments = directory.Split('/');
        for (int i = 0; i < directorySegments.Length; i++)
        {
            if (i >= patternSegments.Length)
            {
                return false;
            }

            if (patternSegments[i].Contains("**", StringComparison.Ordinal))
            {
                return true;
            }

            if (!Compile(patternSegments[i], exception: false).Matches(directorySegments[i]))
            {
                return false;
            }
        }

        return patternSegments.Length > directorySegments.Length;
    }

    private static bool ClassCanMatchSlash(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            if (text[i] != '[')
            {
                continue;
            }

            int close = i + 1;
            if (close < text.Length && text[close] == '^')
            {
                return true;
            }

            while (close < text.Length && text[close] != ']')
            {
                if (text[close] == '/')
                {
                    return true;
                }

                close += text[close] == '\\' ? 2 : 1;
            }

            i = close;
        }

        return false;
    }

    /// <summary>Appends the character (or surrogate pair) at <paramref name="position"/> as a literal; returns the next position.</summary>
    private static int AppendLiteral(StringBuilder regex, string text, int position)
    {
        int length = char.IsHighSurrogate(text[position]) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]) ? 2 : 1;
        regex.Append(Regex.Escape(text.Substring(position, length)));
        return position + length;
    }

    /// <summary>Appends the class that starts after '[' at <paramref name="position"/>; returns the position after ']'.</summary>
    private static int AppendClass(StringBuilder regex, string text, int position)
    {
        regex.Append('[');
        if (text[position] == '^')
        {
            // Negation; like the reference, a negated class also matches '/'.
            regex.Append('^');
            position++;
        }

        bool first = true;
        while (first || text[position] != ']')
        {
            first = false;
            char lo = ClassChar(text, ref position);
            AppendClassChar(regex, lo);
            if (text[position] == '-')
            {
                position++;
                char hi = ClassChar(text, ref position);
                if (hi < lo)
                {
                    throw new FormatException(string.Format(CultureInfo.InvariantCulture, "invalid character class range '{0}-{1}'", lo, hi));
                }

                regex.Append('-');
                AppendClassChar(regex, hi);
            }
        }

        regex.Append(']');
        return position + 1;
    }

    private static char ClassChar(string text, ref int position)
    {
        if (text[position] == '\\')
        {
            position++;
        }

        return text[position++];
    }

    private static void AppendClassChar(StringBuilder regex, char c)
    {
        if (!char.IsLetterOrDigit(c))
        {
            regex.Append('\\');
        }

        regex.Append(c);
    }

    /// <summary>
    /// Rejects what Go's <c>filepath.Match</c> rejects (the CLI refuses such a .dockerignore):
    /// a trailing backslash and malformed character classes (unterminated, empty, a bare '-' or ']' as bound).
    /// </summary>
    private static void ValidateGlobSyntax(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i++];
            if (c == '\\')
            {
                if (i == text.Length)
                {
                    throw new FormatException("trailing backslash escapes nothing");
                }

                i++;
            }
            else if (c == '[')
            {
                if (i < text.Length && text[i] == '^')
                {
                    i++;
                }

                int ranges = 0;
                while (true)
                {
                    if (i < text.Length && text[i] == ']' && ranges > 0)
                    {
                        i++;
                        break;
                    }

                    i = ValidateClassChar(text, i);
                    if (text[i] == '-')
                    {
                        i = ValidateClassChar(text, i + 1);
                    }

                    ranges++;
                }
            }
        }
    }

    private static int ValidateClassChar(string text, int i)
    {
        if (i >= text.Length || text[i] == '-' || text[i] == ']')
        {
            throw new FormatException("malformed character class");
        }

        if (text[i] == '\\')
        {
            i++;
            if (i >= text.Length)
            {
                throw new FormatException("malformed character class");
            }
        }

        i++;
        if (i >= text.Length)
        {
            throw new FormatException("unterminated character class");
        }

        return i;
    }
}
