namespace MultiStage.Engine.BuildOutput;

/// <summary>Whether a diagnostic of the build stage failed it.</summary>
public enum BuildDiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>
/// An error or warning that a tool in the build stage (the compiler, MSBuild, NuGet) printed in MSBuild's canonical
/// form, <c>origin(line,col): subcategory error CODE: text [project]</c>. Paths are as the build stage saw them.
/// </summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="File">The origin: a file of the build stage, or a tool name (<c>MSBUILD</c>, <c>CSC</c>); null when the line named none.</param>
/// <param name="Line">1-based; 0 when the origin has no position.</param>
/// <param name="Column">1-based; 0 when not given.</param>
/// <param name="EndLine">The end of a range; 0 when not given.</param>
/// <param name="EndColumn">The end of a range; 0 when not given.</param>
/// <param name="Subcategory">The word before "error"/"warning" some tools print; null when none.</param>
/// <param name="Code">CS1002, NU1603, MSB4018, NETSDK1004.</param>
/// <param name="Message">The text after the code, without the project suffix.</param>
/// <param name="Project">The project file MSBuild appends in brackets; null when absent.</param>
public sealed record BuildDiagnostic(
    BuildDiagnosticSeverity Severity,
    string? File,
    int Line,
    int Column,
    int EndLine,
    int EndColumn,
    string? Subcategory,
    string Code,
    string Message,
    string? Project)
{
    /// <summary>What kind of tool the code belongs to, by the prefixes .NET's tools use: compiler, NuGet or build.</summary>
    public string Kind => Code switch
    {
        _ when Code.StartsWith("CS", StringComparison.Ordinal) || Code.StartsWith("BC", StringComparison.Ordinal) || Code.StartsWith("FS", StringComparison.Ordinal) => "compiler",
        _ when Code.StartsWith("NU", StringComparison.Ordinal) => "NuGet",
        _ => "build",
    };

    /// <summary>The diagnostic as MSBuild prints it, with the paths given.</summary>
    public string Format(string? file = null, string? project = null)
    {
        file ??= File;
        project ??= Project;
        var position = Line <= 0 ? "" : Column <= 0 ? $"({Line})" : $"({Line},{Column})";
        var origin = file is null ? "" : $"{file}{position}: ";
        var subcategory = Subcategory is null ? "" : Subcategory + " ";
        var category = Severity == BuildDiagnosticSeverity.Error ? "error" : "warning";
        var suffix = project is null ? "" : $" [{project}]";
        return $"{origin}{subcategory}{category} {Code}: {Message}{suffix}";
    }
}
