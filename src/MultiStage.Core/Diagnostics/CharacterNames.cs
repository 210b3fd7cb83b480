using System.Globalization;
using System.Text;

namespace MultiStage.Diagnostics;

/// <summary>
/// Shows characters a message cannot print as such (tabs, line breaks, NUL and other control characters), so that an
/// error can say which character of which value is the problem instead of printing it invisibly.
/// </summary>
public static class CharacterNames
{
    /// <summary>Whether a line of a Dockerfile, a message or an argument name cannot show the character as itself.</summary>
    public static bool IsUnprintable(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';

    /// <summary>"a tab (U+0009)", "a line break (U+000A)", "a NUL character (U+0000)", "'=' (U+003D)".</summary>
    public static string Describe(char c)
    {
        var code = string.Format(CultureInfo.InvariantCulture, "U+{0:X4}", (int)c);
        return c switch
        {
            '\t' => $"a tab ({code})",
            '\n' or '\r' or '\u2028' or '\u2029' or '\u0085' => $"a line break ({code})",
            '\0' => $"a NUL character ({code})",
            _ when char.IsWhiteSpace(c) => $"a space ({code})",
            _ when IsUnprintable(c) => $"a control character ({code})",
            _ => $"'{c}' ({code})",
        };
    }

    /// <summary>The text with every unprintable character written as an escape (\t, \n, \r, \0, \uXXXX).</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                '\0' => "\\0",
                _ when IsUnprintable(c) => string.Format(CultureInfo.InvariantCulture, "\\u{0:X4}", (int)c),
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
