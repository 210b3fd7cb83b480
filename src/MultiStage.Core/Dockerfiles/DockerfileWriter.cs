using System.Globalization;
using System.Text;
using MultiStage.Diagnostics;

namespace MultiStage.Dockerfiles;

/// <summary>
/// Turns a <see cref="Dockerfile"/> into text. Every user value is quoted for the instruction it lands in,
/// so no value can end a line, start an instruction or be expanded as a build variable.
/// Output uses <c>\n</c> line endings and depends only on the model.
/// </summary>
public static class DockerfileWriter
{
    public static string Write(Dockerfile dockerfile)
    {
        var text = new StringBuilder();
        foreach (var instruction in dockerfile.Instructions)
        {
            WriteInstruction(text, instruction);
        }

        return text.ToString();
    }

    private static void WriteInstruction(StringBuilder text, Instruction instruction)
    {
        switch (instruction)
        {
            case Comment comment:
                foreach (var line in comment.Text.Split('\n'))
                {
                    CheckLine(line, "comment");
                    text.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
                }

                return;
            case BlankLine:
                text.Append('\n');
                return;
            case From from:
                text.Append("FROM ");
                if (from.Platform is not null)
                {
                    text.Append("--platform=").Append(from.Platform).Append(' ');
                }

                text.Append(Bare(from.Image, "image"));
                if (from.StageName is not null)
                {
                    text.Append(" AS ").Append(Bare(from.StageName, "stage name"));
                }

                break;
            case Arg arg:
                text.Append("ARG ").Append(Identifier(arg.Name));
                if (arg.Default is not null)
                {
                    text.Append('=').Append(DoubleQuoted(arg.Default));
                }

                break;
            case Workdir workdir:
                text.Append("WORKDIR ").Append(DoubleQuoted(workdir.Path));
                break;
            case Copy copy:
                text.Append("COPY ");
                if (copy.FromStage is not null)
                {
                    text.Append("--from=").Append(Bare(copy.FromStage, "stage name")).Append(' ');
                }

                if (copy.Chown is not null)
                {
                    text.Append("--chown=").Append(Bare(copy.Chown, "owner")).Append(' ');
                }

                if (copy.Chmod is not null)
                {
                    text.Append("--chmod=").Append(Bare(copy.Chmod, "mode")).Append(' ');
                }

                text.Append(JsonArray(copy.Sources.Select(s => s.ToPattern()).Append(copy.Destination).Select(EscapeForExpansion)));
                break;
            case Run run:
                text.Append("RUN ");
                // Each mount on its own continued line keeps long cache-mount steps reviewable.
                foreach (var mount in run.Mounts ?? Array.Empty<string>())
                {
                    text.Append("--mount=").Append(Bare(mount, "mount")).Append(" \\\n    ");
                }

                var lines = run.Command.Lines();
                for (var n = 0; n < lines.Count; n++)
                {
                    CheckLine(lines[n].Text, "RUN command");
                    text.Append(n == 0 ? "" : " \\\n    " + new string(' ', 4 * lines[n].Depth)).Append(lines[n].Text);
                }

                break;
            case Env env:
                text.Append("ENV");
                foreach (var pair in env.Variables)
                {
                    text.Append(' ').Append(Identifier(pair.Key)).Append('=').Append(DoubleQuoted(pair.Value));
                }

                break;
            case Label label:
                text.Append("LABEL");
                foreach (var pair in label.Labels)
                {
                    text.Append(' ').Append(DoubleQuoted(pair.Key)).Append('=').Append(DoubleQuoted(pair.Value));
                }

                foreach (var pair in label.FromBuildArgs ?? Array.Empty<KeyValuePair<string, string>>())
                {
                    text.Append(' ').Append(DoubleQuoted(pair.Key)).Append("=\"${").Append(Identifier(pair.Value)).Append("}\"");
                }

                break;
            case Expose expose:
                text.Append("EXPOSE ").Append(expose.Port.ToString(CultureInfo.InvariantCulture)).Append('/').Append(Bare(expose.Protocol, "protocol"));
                break;
            case User user:
                text.Append("USER ").Append(user.IsExpression ? Bare(user.Name, "user") : DoubleQuoted(user.Name));
                break;
            case Entrypoint entrypoint:
                text.Append("ENTRYPOINT ").Append(JsonArray(entrypoint.Arguments));
                break;
            case Cmd cmd:
                text.Append("CMD ").Append(JsonArray(cmd.Arguments));
                break;
            case Healthcheck health:
                text.Append("HEALTHCHECK");
                foreach (var option in health.Options)
                {
                    text.Append(" --").Append(Bare(option.Key, "option")).Append('=').Append(Bare(option.Value, "option value"));
                }

                text.Append(health.Command is { } command ? " CMD " + JsonArray(command) : " NONE");
                break;
            default:
                throw new ArgumentException($"Unknown instruction {instruction.GetType().Name}.", nameof(instruction));
        }

        text.Append('\n');
    }

    /// <summary>A word written as-is: the generator validated it against a strict grammar first.</summary>
    private static string Bare(string value, string what)
    {
        CheckLine(value, what);
        if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c == '"' || c == '\''))
        {
            throw new DockerfileValueException($"The {what} '{value}' cannot be written without quoting.");
        }

        return value;
    }

    private static string Identifier(string name)
    {
        CheckLine(name, "variable name");
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or ':')))
        {
            throw new DockerfileValueException($"'{name}' is not a valid variable name.");
        }

        return name;
    }

    /// <summary>
    /// Double quotes as the Dockerfile word lexer reads them: inside, a backslash escapes only
    /// <c>"</c>, <c>$</c> and itself, which is exactly the set that needs escaping.
    /// </summary>
    internal static string DoubleQuoted(string value)
    {
        CheckLine(value, "value");
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '$' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// COPY arguments are expanded as words even in JSON form: quotes, <c>$</c> and backslashes would be
    /// interpreted, so each is escaped for the word lexer before JSON encoding.
    /// </summary>
    internal static string EscapeForExpansion(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '\\' or '$' or '"' or '\'')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    internal static string JsonArray(IEnumerable<string> values) =>
        "[" + string.Join(", ", values.Select(JsonString)) + "]";

    private static string JsonString(string value)
    {
        CheckLine(value, "argument");
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A line break or control character would end the instruction early: never representable.</summary>
    internal static void CheckLine(string value, string what)
    {
        foreach (var c in value)
        {
            if (CharacterNames.IsUnprintable(c))
            {
                // The value names the path or property it came from (a folder name with a tab): show it, escaped.
                throw new DockerfileValueException($"The {what} \"{CharacterNames.Escape(value)}\" contains {CharacterNames.Describe(c)}, which a Dockerfile line cannot hold. Rename the file or folder whose name has it, or change the setting the value comes from.");
            }
        }
    }
}

/// <summary>A value that the Dockerfile syntax cannot carry safely.</summary>
public sealed class DockerfileValueException : Exception
{
    public DockerfileValueException(string message)
        : this(ErrorCodes.UnrepresentableValue, message)
    {
    }

    public DockerfileValueException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The code the generator reports the value with.</summary>
    public string Code { get; }
}
