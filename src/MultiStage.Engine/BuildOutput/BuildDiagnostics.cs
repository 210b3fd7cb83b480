using System.Globalization;

namespace MultiStage.Engine.BuildOutput;

/// <summary>
/// The diagnostics of one build, in the order they were first printed. MSBuild prints each twice (as it happens and
/// again in its closing summary), and restore's warnings come back when publish reads the assets file: each is kept once.
/// </summary>
public sealed class BuildDiagnostics
{
    private readonly List<BuildDiagnostic> _all = new();
    private readonly HashSet<BuildDiagnostic> _seen = new();

    /// <summary>Every diagnostic, first occurrence order.</summary>
    public IReadOnlyList<BuildDiagnostic> All => _all;

    public int ErrorCount { get; private set; }

    /// <summary>Reads one output line of a build step; other output is ignored.</summary>
    public void AddLine(string line)
    {
        if (BuildDiagnosticParser.Parse(line) is { } diagnostic && _seen.Add(diagnostic))
        {
            _all.Add(diagnostic);
            if (diagnostic.Severity == BuildDiagnosticSeverity.Error)
            {
                ErrorCount++;
            }
        }
    }

    /// <summary>"2 compiler errors", "1 compiler error and 1 NuGet error": the errors counted by tool.</summary>
    public string DescribeErrors()
    {
        var parts = _all.Where(d => d.Severity == BuildDiagnosticSeverity.Error)
            .GroupBy(d => d.Kind)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key} error{(g.Count() == 1 ? "" : "s")}"))
            .ToList();
        return parts.Count <= 1 ? string.Concat(parts) : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
    }
}
