using System.Text;

namespace MultiStage.Dockerfiles;

/// <summary>
/// A POSIX shell command line assembled from parts. Literal parts are the generator's own fixed syntax;
/// arguments are user values and are always single-quoted, so no value can add a command or an instruction.
/// </summary>
public sealed class ShellCommand
{
    private readonly List<string> _parts = new();

    /// <summary>Appends fixed shell syntax written by the generator (never user input).</summary>
    public ShellCommand Raw(string syntax)
    {
        _parts.Add(syntax);
        return this;
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
