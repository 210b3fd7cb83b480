using System.Globalization;
using System.Text.RegularExpressions;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// Reads one output line of the build stage as MSBuild's canonical error format, whatever engine or builder carried
/// it: <c>/src/Program.cs(7,26): error CS1002: ; expected [/src/App.csproj]</c>,
/// <c>/src/App.csproj : warning NU1603: …</c>, <c>MSBUILD : error MSB1009: …</c>, <c>CSC : error CS2001: …</c>.
/// </summary>
public static partial class BuildDiagnosticParser
{
    /// <summary>The diagnostic the line holds; null when it is other output.</summary>
    public static BuildDiagnostic? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length > 8192 || (!line.Contains("error", StringComparison.Ordinal) && !line.Contains("warning", StringComparison.Ordinal)))
        {
            return null;
        }

        Match match;
        try
        {
            match = Canonical().Match(line);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological line is output, not a diagnostic.
            return null;
        }

        if (!match.Success)
        {
            return null;
        }

        var origin = match.Groups["origin"].Success ? match.Groups["origin"].Value.Trim() : null;
        var (lineNumber, column, endLine, endColumn) = Position(match.Groups["position"].Success ? match.Groups["position"].Value : null);
        var project = match.Groups["project"].Success ? match.Groups["project"].Value : null;
        if (project is not null && project.IndexOf("::", StringComparison.Ordinal) is var globals and > 0)
        {
            // Newer MSBuild appends the global properties ([App.csproj::TargetFramework=net10.0]).
            project = project[..globals];
        }

        return new BuildDiagnostic(
            match.Groups["category"].Value == "error" ? BuildDiagnosticSeverity.Error : BuildDiagnosticSeverity.Warning,
            string.IsNullOrEmpty(origin) ? null : origin,
            lineNumber,
            column,
            endLine,
            endColumn,
            match.Groups["subcategory"].Success ? match.Groups["subcategory"].Value.Trim() : null,
            match.Groups["code"].Value,
            match.Groups["text"].Value.Trim(),
            project);
    }

    /// <summary>(line), (line,col), (line-endLine), (line,col-endCol) or (line,col,endLine,endCol), as MSBuild accepts them.</summary>
    private static (int Line, int Column, int EndLine, int EndColumn) Position(string? text)
    {
        if (text is null)
        {
            return (0, 0, 0, 0);
        }

        static int Number(string value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var parts = text.Split(',');
        var first = parts[0].Split('-');
        return parts.Length switch
        {
            1 => (Number(first[0]), 0, first.Length > 1 ? Number(first[1]) : 0, 0),
            2 when parts[1].Split('-') is { Length: 2 } columns => (Number(first[0]), Number(columns[0]), 0, Number(columns[1])),
            2 => (Number(first[0]), Number(parts[1]), 0, 0),
            4 => (Number(parts[0]), Number(parts[1]), Number(parts[2]), Number(parts[3])),
            _ => (Number(first[0]), 0, 0, 0),
        };
    }

    // origin: anything up to the position or " : "; no origin at all is allowed ("error CS0006: …").
    // The code: letters then digits, as MSBuild's own parser requires (CS1002, NU1603, MSB4018, NETSDK1004).
    [GeneratedRegex(
        @"^\s*(?:(?<origin>\S.*?)(?:\((?<position>\d+(?:-\d+)?(?:,\d+(?:-\d+)?)?(?:,\d+,\d+)?)\))?\s*:\s+)?(?:(?<subcategory>[^:\s]+(?: [^:\s]+)*?)\s+)?(?<category>error|warning)\s+(?<code>[A-Za-z]+\d+)\s*:\s?(?<text>.*?)(?:\s+\[(?<project>[^\[\]]+)\])?\s*$",
        RegexOptions.CultureInvariant,
        matchTimeoutMilliseconds: 1000)]
    private static partial Regex Canonical();
}
