using System.Text;

namespace MultiStage.Dockerfiles;

/// <summary>
/// A POSIX shell command line assembled from parts. Literal parts are the generator's own fixed syntax;
/// arguments are user values and are always single-quoted, so no value can add a command or an instruction.
/// </summary>
public sealed class ShellCommand
{
    private readonly List<string> _parts = new();
    // Index of the part that starts each continuation line, and how deep that line is indented.
    private readonly List<(int Part, int Depth)> _breaks = new();

    /// <summary>Appends fixed shell syntax written by the generator (never user input).</summary>
    public ShellCommand Raw(string syntax)
    {
        _parts.Add(syntax);
        return this;
    }

    /// <summary>The next part starts a continuation line one level in: one option per line keeps a long command reviewable.</summary>
    public ShellCommand Wrap()
    {
        _breaks.Add((_parts.Count, 1));
        return this;
    }

    /// <summary>Appends <c>&amp;&amp;</c> on a continuation line at the command's own level: the next command of the same RUN.</summary>
    public ShellCommand Then()
    {
        _breaks.Add((_parts.Count, 0));
        return Raw("&&");
    }

    /// <summary>Appends one argument, quoted when it holds anything but safe characters.</summary>
    public ShellCommand Arg(string value)
    {
        _parts.Add(Quote(value));
        return this;
    }

    /// <summary>Appends several arguments.</summary>
    public ShellCommand Args(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            Arg(value);
        }

        return this;
    }

    /// <summary>The command as one line.</summary>
    public override string ToString() => string.Join(" ", _parts);

    /// <summary>The command as the writer lays it out: each line with its indentation depth (the first is 0).</summary>
    public IReadOnlyList<(int Depth, string Text)> Lines()
    {
        var lines = new List<(int, string)>();
        var starts = _breaks.Where(b => b.Part > 0 && b.Part < _parts.Count).GroupBy(b => b.Part).Select(g => g.Last()).ToList();
        var from = 0;
        var depth = 0;
        foreach (var (part, nextDepth) in starts.Append((_parts.Count, 0)))
        {
            lines.Add((depth, string.Join(" ", _parts.Skip(from).Take(part - from))));
            from = part;
            depth = nextDepth;
        }

        return lines;
    }

    /// <summary>POSIX single-quoting; values made only of safe characters stay readable without quotes.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && value.All(IsSafe))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            if (c == '\'')
            {
                builder.Append("'\\''");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('\'');
        return builder.ToString();
    }

    private static bool IsSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '/' or '_' or '-' or ':' or '=' or ',' or '+' or '@';
}
