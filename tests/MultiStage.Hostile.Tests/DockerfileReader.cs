using System.Text;
using System.Text.Json;

namespace MultiStage.Hostile.Tests;

/// <summary>One instruction as a builder reads it: the keyword and the rest of its logical line.</summary>
internal sealed record ReadInstruction(string Keyword, string Arguments)
{
    /// <summary>The exec-form array after any --flags (ENTRYPOINT, CMD, COPY); null when it is not one.</summary>
    public IReadOnlyList<string>? Json()
    {
        var text = Arguments;
        while (text.StartsWith("--", StringComparison.Ordinal))
        {
            var space = text.IndexOf(' ');
            text = space < 0 ? "" : text[(space + 1)..];
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The words of ENV, LABEL, USER, WORKDIR, EXPOSE after the builder's quote removal; null when one would be expanded.</summary>
    public IReadOnlyList<string>? Words() => DockerfileReader.Words(Arguments);

    /// <summary>The key=value pairs of ENV and LABEL.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Pairs() =>
        Words()?.Select(w => w.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? new KeyValuePair<string, string>(w[..i], w[(i + 1)..]) : new KeyValuePair<string, string>(w, "\0no-equals")).ToList();

    public override string ToString() => Keyword + " " + Arguments;
}

/// <summary>
/// A small Dockerfile reader, written from the Dockerfile reference rather than from the generator: a logical line per
/// instruction (a trailing backslash continues it, # lines are comments), the word lexer of ENV/LABEL/USER/WORKDIR
/// (double quotes, backslash escapes, $ expansion refused), and POSIX shell words for RUN.
/// </summary>
internal static class DockerfileReader
{
    public static IReadOnlyList<ReadInstruction> Read(string text)
    {
        var result = new List<ReadInstruction>();
        var logical = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimStart(' ', '\t');
            if (trimmed.StartsWith('#') || (trimmed.Length == 0 && logical.Length == 0))
            {
                continue;
            }

            var end = line.TrimEnd(' ', '\t');
            if (end.EndsWith('\\'))
            {
                logical.Append(end, 0, end.Length - 1);
                continue;
            }

            logical.Append(line);
            var whole = logical.ToString().Trim(' ', '\t');
            logical.Clear();
            var space = whole.IndexOfAny(new[] { ' ', '\t' });
            result.Add(space < 0 ? new ReadInstruction(whole.ToUpperInvariant(), "") : new ReadInstruction(whole[..space].ToUpperInvariant(), whole[(space + 1)..].TrimStart(' ', '\t')));
        }

        if (logical.Length > 0)
        {
            throw new FormatException("The file ends inside a continued line.");
        }

        return result;
    }

    /// <summary>The instructions of the last stage (after its FROM).</summary>
    public static IReadOnlyList<ReadInstruction> FinalStage(IReadOnlyList<ReadInstruction> instructions)
    {
        var from = instructions.Select((i, index) => (i, index)).Last(p => p.i.Keyword == "FROM").index;
        return instructions.Skip(from).ToList();
    }

    /// <summary>Dockerfile words: whitespace separates; "…" groups, where \ escapes " $ \; outside quotes \ escapes any character. An unescaped $ would be expanded: null.</summary>
    public static IReadOnlyList<string>? Words(string text) => SplitWords(text, ReadDockerfileCharacter);

    /// <summary>POSIX shell words of a RUN command: '…' literal, "…" with \ escapes, \ outside quotes; operators stay words of their own.</summary>
    public static IReadOnlyList<string> ShellWords(string command) => SplitWords(command, ReadShellCharacter)!;

    /// <summary>Reads the character at <paramref name="i"/> (and what it quotes) into the word; returns the last index read, or -1 to refuse the text.</summary>
    private delegate int CharacterReader(string text, int i, StringBuilder word);

    private static List<string>? SplitWords(string text, CharacterReader read)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is ' ' or '\t')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            i = read(text, i, word);
            if (i < 0)
            {
                return null;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static int ReadDockerfileCharacter(string text, int i, StringBuilder word)
    {
        switch (text[i])
        {
            case '$':
                return -1;
            case '\\' when i + 1 < text.Length:
                word.Append(text[++i]);
                return i;
            case '"':
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '$')
                    {
                        return -1;
                    }

                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '$' or '\\')
                    {
                        i++;
                    }

                    word.Append(text[i]);
                }

                return i < text.Length ? i : throw new FormatException("Unterminated double quote: " + text);
            default:
                word.Append(text[i]);
                return i;
        }
    }

    private static int ReadShellCharacter(string command, int i, StringBuilder word)
    {
        switch (command[i])
        {
            case '\'':
                var close = command.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    throw new FormatException("Unterminated single quote in: " + command);
                }

                word.Append(command, i + 1, close - i - 1);
                return close;
            case '"':
                for (i++; i < command.Length && command[i] != '"'; i++)
                {
                    if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '$' or '\\' or '`')
                    {
                        i++;
                    }

                    word.Append(command[i]);
                }

                return i < command.Length ? i : throw new FormatException("Unterminated double quote in: " + command);
            case '\\' when i + 1 < command.Length:
                word.Append(command[++i]);
                return i;
            default:
                word.Append(command[i]);
                return i;
        }
    }
}
