namespace MultiStage.Hostile.Tests;

/// <summary>What makes a value hostile; each channel of the table says which kinds it carries exactly and which it refuses.</summary>
[Flags]
internal enum Hazard
{
    None = 0,
    /// <summary>\n, \r, \r\n, U+2028, U+0085: would end the instruction.</summary>
    LineBreak = 1 << 0,
    /// <summary>NUL, tab and other C0/C1 control characters.</summary>
    Control = 1 << 1,
    /// <summary>" ' `</summary>
    Quote = 1 << 2,
    /// <summary>$VAR, ${VAR}, $(cmd): build-variable or shell expansion.</summary>
    Dollar = 1 << 3,
    Backslash = 1 << 4,
    /// <summary>"] and [": would close or open an exec-form array.</summary>
    Json = 1 << 5,
    /// <summary>#: a comment at the start of a line.</summary>
    Hash = 1 << 6,
    /// <summary>A leading - or --flag=: read as an option.</summary>
    Dash = 1 << 7,
    Equals = 1 << 8,
    /// <summary>; (MSBuild's item separator) and the MSBuild escapes %3B / %24, which reach a task as text.</summary>
    MSBuildSyntax = 1 << 9,
    /// <summary>10 kB in one value.</summary>
    Long = 1 << 10,
    /// <summary>ü, emoji, right-to-left marks.</summary>
    NonAscii = 1 << 11,
    /// <summary>* ? [ ]</summary>
    Glob = 1 << 12,
    /// <summary>../../etc and absolute paths.</summary>
    Path = 1 << 13,
    /// <summary>A space or only spaces.</summary>
    Space = 1 << 14,
    /// <summary>Nothing: the parameter is not set.</summary>
    Empty = 1 << 15,
}

/// <summary>One hostile value: a short name for reports, the text, and its hazards.</summary>
internal sealed record HostileValue(string Name, string Text, Hazard Hazards)
{
    public override string ToString() => Name;
}

/// <summary>The values every channel is tried with (the security review's list).</summary>
internal static class HostileValues
{
    public static IReadOnlyList<HostileValue> All { get; } = new HostileValue[]
    {
        new("lf", "a\nb", Hazard.LineBreak),
        new("cr", "a\rb", Hazard.LineBreak),
        new("crlf", "a\r\nb", Hazard.LineBreak),
        new("u2028", "a\u2028b", Hazard.LineBreak),
        new("nel", "a\u0085b", Hazard.LineBreak),
        new("run-after-lf", "x\nRUN rm -rf /", Hazard.LineBreak | Hazard.Dash | Hazard.Path | Hazard.Space),
        new("trailing-lf", "x\n", Hazard.LineBreak),
        new("nul", "a\0b", Hazard.Control),
        new("soh", "a\u0001b", Hazard.Control),
        new("esc", "a\u001b[31mred", Hazard.Control | Hazard.Json),
        new("del", "a\u007fb", Hazard.Control),
        new("tab", "a\tb", Hazard.Control),
        new("double-quote", "a\"b", Hazard.Quote),
        new("single-quote", "it's", Hazard.Quote),
        new("backtick", "a`id`b", Hazard.Quote),
        new("dollar-var", "$HOME", Hazard.Dollar),
        new("dollar-brace", "${HOME}", Hazard.Dollar),
        new("dollar-cmd", "$(id)", Hazard.Dollar),
        new("dollar-default", "${X:-evil}", Hazard.Dollar | Hazard.Dash),
        new("backslash", "a\\b", Hazard.Backslash),
        new("double-backslash", "a\\\\b", Hazard.Backslash),
        new("trailing-backslash", "a\\", Hazard.Backslash),
        new("json-close", "a\"]", Hazard.Quote | Hazard.Json),
        new("json-open", "[\"a", Hazard.Quote | Hazard.Json),
        new("json-array", "[\"sh\", \"-c\", \"id\"]", Hazard.Quote | Hazard.Json | Hazard.Dash | Hazard.Space),
        new("hash", "#comment", Hazard.Hash),
        new("hash-mid", "a #b", Hazard.Hash | Hazard.Space),
        new("dash", "-x", Hazard.Dash),
        new("flag", "--flag=1", Hazard.Dash | Hazard.Equals),
        new("equals", "a=b", Hazard.Equals),
        new("semicolon", "a;b", Hazard.MSBuildSyntax),
        new("escaped-semicolon", "a%3Bb", Hazard.MSBuildSyntax),
        new("escaped-dollar", "%24HOME", Hazard.MSBuildSyntax),
        new("item-reference", "@(Compile)", Hazard.MSBuildSyntax),
        new("property-reference", "$(MSBuildProjectDirectory)", Hazard.MSBuildSyntax | Hazard.Dollar),
        new("long", new string('a', 10_240), Hazard.Long),
        new("umlaut", "über", Hazard.NonAscii),
        new("emoji", "\U0001F680", Hazard.NonAscii),
        new("rtl-mark", "a\u200Fb\u202Ec", Hazard.NonAscii),
        new("glob", "a*b?c", Hazard.Glob),
        new("brackets", "[abc]", Hazard.Glob | Hazard.Json),
        new("traversal", "../../etc", Hazard.Path),
        new("absolute", "/etc/passwd", Hazard.Path),
        new("space", "a b", Hazard.Space),
        new("leading-space", " a", Hazard.Space),
        new("whitespace-only", "   ", Hazard.Space),
        new("empty", "", Hazard.Empty),
    };

    public static HostileValue Named(string name) => All.Single(v => v.Name == name);
}
