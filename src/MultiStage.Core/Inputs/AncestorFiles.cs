using MultiStage.IO;
using MultiStage.NuGet;

namespace MultiStage.Inputs;

/// <summary>
/// Files that tools look for in the folders above a project rather than being named by it: NuGet.config and
/// global.json (restore, the SDK resolver), Directory.Build.rsp (MSBuild's command line), .editorconfig and
/// .globalconfig (the compiler, for every source file below them).
/// </summary>
public sealed class AncestorFiles
{
    public const string GlobalJson = "global.json";
    public const string ResponseFile = "Directory.Build.rsp";
    public static readonly IReadOnlyList<string> AnalyzerConfigNames = new[] { ".editorconfig", ".globalconfig" };

    /// <summary>NuGet.config files, in the order of the folders found.</summary>
    public SortedSet<string> NuGetConfigs { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> GlobalJsons { get; } = new(StringComparer.Ordinal);
    /// <summary>The response file MSBuild reads for the entry project: the nearest one above it.</summary>
    public string? ResponseFilePath { get; private set; }
    public SortedSet<string> AnalyzerConfigs { get; } = new(StringComparer.Ordinal);
    /// <summary>Analyzer config files above the boundary: the compiler reads them, the build stage cannot have them.</summary>
    public SortedSet<string> AnalyzerConfigsOutside { get; } = new(StringComparer.Ordinal);
    /// <summary>Every path looked at, present or not: a file appearing there changes the plan.</summary>
    public SortedSet<string> Probes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Walks up from the project folders (and, for analyzer configs, from the folders of other sources) to
    /// <paramref name="boundary"/>; with <paramref name="lookAboveBoundary"/> (the boundary is the repository root),
    /// analyzer configs above it are reported in <see cref="AnalyzerConfigsOutside"/>.
    /// </summary>
    public static AncestorFiles Find(IEnumerable<string> projectDirectories, string entryDirectory, IEnumerable<string> sourceDirectories, string boundary, bool lookAboveBoundary)
    {
        var found = new AncestorFiles();
        var projectDirs = projectDirectories.Select(PathUtil.AsDirectory).Distinct(StringComparer.Ordinal).ToList();
        foreach (var start in projectDirs)
        {
            foreach (var dir in Above(start, boundary))
            {
                found.Probe(dir, GlobalJson, found.GlobalJsons);
                foreach (var name in NuGetConfigChain.FileNames)
                {
                    found.Probes.Add(Path.Combine(dir, name));
                }

                if (NuGetConfigChain.InDirectory(dir) is { } config)
                {
                    found.NuGetConfigs.Add(config);
                }
            }
        }

        // MSBuild reads the first Directory.Build.rsp above the project it is given, and no other.
        foreach (var dir in Above(PathUtil.AsDirectory(entryDirectory), boundary))
        {
            var rsp = Path.Combine(dir, ResponseFile);
            found.Probes.Add(rsp);
            if (File.Exists(rsp) && HasExactName(dir, ResponseFile))
            {
                found.ResponseFilePath = rsp;
                break;
            }
        }

        foreach (var start in projectDirs.Concat(sourceDirectories.Select(PathUtil.AsDirectory)).Distinct(StringComparer.Ordinal))
        {
            foreach (var dir in Above(start, boundary))
            {
                foreach (var name in AnalyzerConfigNames)
                {
                    found.Probe(dir, name, found.AnalyzerConfigs);
                }
            }

            if (lookAboveBoundary)
            {
                for (var dir = Path.GetDirectoryName(PathUtil.AsDirectory(boundary).TrimEnd(Path.DirectorySeparatorChar)); dir is not null; dir = Path.GetDirectoryName(dir))
                {
                    foreach (var name in AnalyzerConfigNames)
                    {
                        found.Probe(dir, name, found.AnalyzerConfigsOutside);
                    }
                }
            }
        }

        return found;
    }

    private void Probe(string dir, string name, SortedSet<string> into)
    {
        var path = Path.Combine(dir, name);
        Probes.Add(path);
        if (File.Exists(path) && HasExactName(dir, name))
        {
            into.Add(path);
        }
    }

    /// <summary>The folder and every folder above it, up to and including <paramref name="boundary"/>; nothing when it is not below it.</summary>
    private static IEnumerable<string> Above(string start, string boundary)
    {
        var limit = PathUtil.AsDirectory(boundary);
        for (var dir = start.TrimEnd(Path.DirectorySeparatorChar); dir.Length > 0 && PathUtil.IsUnder(PathUtil.AsDirectory(dir), limit); dir = Path.GetDirectoryName(dir) ?? "")
        {
            yield return dir;
        }
    }

    /// <summary>On case-insensitive file systems File.Exists matches any casing; copy the file under its real name once.</summary>
    private static bool HasExactName(string dir, string name) =>
        Directory.EnumerateFiles(dir, name).Any(f => string.Equals(Path.GetFileName(f), name, StringComparison.Ordinal));
}
