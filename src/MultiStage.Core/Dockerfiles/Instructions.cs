namespace MultiStage.Dockerfiles;

/// <summary>One line (or comment block) of a Dockerfile. Values are raw user text; the writer quotes them.</summary>
public abstract record Instruction;

/// <summary><c># text</c>; each line of <see cref="Text"/> becomes one comment line.</summary>
public sealed record Comment(string Text) : Instruction;

/// <summary>An empty line between groups of instructions.</summary>
public sealed record BlankLine : Instruction;

/// <summary><c>FROM [--platform=…] image [AS name]</c>. <see cref="Platform"/> is a builder expression such as <c>$BUILDPLATFORM</c>.</summary>
public sealed record From(string Image, string? StageName = null, string? Platform = null) : Instruction;

/// <summary><c>ARG name[=default]</c>.</summary>
public sealed record Arg(string Name, string? Default = null) : Instruction;

/// <summary><c>WORKDIR path</c>.</summary>
public sealed record Workdir(string Path) : Instruction;

/// <summary><c>COPY [--from=stage] [--chown=…] [--chmod=…] ["src", …, "dest"]</c>. Sources are <see cref="CopySource"/>s, copied literally; the destination is never a pattern. <see cref="Chmod"/> (an octal mode) needs BuildKit.</summary>
public sealed record Copy(IReadOnlyList<CopySource> Sources, string Destination, string? FromStage = null, string? Chown = null, string? Chmod = null) : Instruction
{
    /// <summary>A COPY of paths given as text, each copied as it is spelled.</summary>
    public Copy(IEnumerable<string> Sources, string Destination, string? FromStage = null, string? Chown = null, string? Chmod = null)
        : this(Sources.Select(CopySource.Literal).ToList(), Destination, FromStage, Chown, Chmod)
    {
    }
}

/// <summary><c>RUN [--mount=…] command</c> in shell form. <see cref="Command"/> is built with <see cref="ShellCommand"/>, which quotes every user value.</summary>
public sealed record Run(ShellCommand Command, IReadOnlyList<string>? Mounts = null) : Instruction;

/// <summary><c>ENV k="v" …</c>.</summary>
public sealed record Env(IReadOnlyList<KeyValuePair<string, string>> Variables) : Instruction;

/// <summary><c>LABEL "k"="v" …</c>.</summary>
/// <param name="Labels">Label names and literal values.</param>
/// <param name="FromBuildArgs">Labels whose value is a build argument of the stage (label name, argument name), written as <c>"${NAME}"</c>.</param>
public sealed record Label(IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<KeyValuePair<string, string>>? FromBuildArgs = null) : Instruction;

/// <summary><c>EXPOSE port/protocol</c>.</summary>
public sealed record Expose(int Port, string Protocol) : Instruction;

/// <summary><c>USER user</c>. <see cref="IsExpression"/> marks a builder variable reference such as <c>$APP_UID</c>, written unquoted.</summary>
public sealed record User(string Name, bool IsExpression = false) : Instruction;

/// <summary><c>ENTRYPOINT ["…"]</c> in exec form.</summary>
public sealed record Entrypoint(IReadOnlyList<string> Arguments) : Instruction;

/// <summary><c>CMD ["…"]</c> in exec form.</summary>
public sealed record Cmd(IReadOnlyList<string> Arguments) : Instruction;

/// <summary>
/// <c>HEALTHCHECK [--option=value …] CMD ["…"]</c> in exec form, or <c>HEALTHCHECK NONE</c> when <see cref="Command"/> is
/// null. <see cref="Options"/> are option names without dashes and values the resolver checked (durations, a count).
/// </summary>
public sealed record Healthcheck(IReadOnlyList<string>? Command, IReadOnlyList<KeyValuePair<string, string>> Options) : Instruction;

/// <summary>A whole Dockerfile: instructions in order.</summary>
public sealed record Dockerfile(IReadOnlyList<Instruction> Instructions);
