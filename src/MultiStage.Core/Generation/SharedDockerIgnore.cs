using MultiStage.Diagnostics;
using MultiStage.IO;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// The one generated .dockerignore that applications with their own Dockerfiles in one build context share
/// (docs/repository.md). Applications that read different files or differ in their MultiStageDockerIgnore items would
/// each rewrite it in turn and fail each other's drift check: the exceptions for what each reads are kept together, and
/// for other patterns the file as another application generated it stays, with a warning naming both projects.
/// </summary>
internal static class SharedDockerIgnore
{
    /// <summary>The file on disk when another application of the context generated it with other patterns (warned); else null.</summary>
    public static string? KeptForOtherApplications(string ignorePath, string generated, ResolvedSettings resolved, ContextLayout layout, ILog log)
    {
        if (AtomicFile.ReadOrNull(ignorePath) is not { } onDisk || onDisk == generated || !FileOwnership.IsGenerated(onDisk))
        {
            return null;
        }

        var theirs = UserPatterns(onDisk);
        if (theirs.SequenceEqual(resolved.DockerIgnorePatterns, StringComparer.Ordinal) || OtherApplications(layout, resolved.DockerfilePath) is not { Count: > 0 } others)
        {
            return null;
        }

        static string Describe(IEnumerable<string> patterns) => patterns.Any() ? string.Join(", ", patterns.Select(p => $"'{p}'")) : "none";
        log.Warning(
            ErrorCodes.SharedDockerIgnoreDiffers,
            $"{ignorePath} also serves {string.Join(", ", others)}, and was generated with MultiStageDockerIgnore items {Describe(theirs)}, where {layout.EntryProject} has {Describe(resolved.DockerIgnorePatterns)}: it is left as it is, so that the applications do not rewrite it in turn. Set MultiStageDockerIgnore once for the whole build context (in the Directory.Build.props at {layout.Root}); once the applications agree, delete {Path.GetFileName(ignorePath)} and generate again.",
            ignorePath);
        return onDisk;
    }

    /// <summary>
    /// <paramref name="notRead"/> with the exceptions (<c>!path</c>) of the generated file on disk added, those whose path
    /// still exists: what another application reads stays let in, whichever application generates the file, so they
    /// do not take each other's inputs out in turn. An exception no application needs any more only lets a file in.
    /// </summary>
    public static IReadOnlyList<string> WithExceptionsOnDisk(string ignorePath, IReadOnlyList<string> notRead, string contextRoot)
    {
        if (AtomicFile.ReadOrNull(ignorePath) is not { } onDisk || !FileOwnership.IsGenerated(onDisk))
        {
            return notRead;
        }

        var lines = onDisk.Split('\n');
        var toolState = Array.IndexOf(lines, DockerIgnoreTemplate.ToolStatePatterns[0]);
        var theirs = lines.Take(toolState < 0 ? 0 : toolState)
            .Where(l => l.StartsWith("!", StringComparison.Ordinal) && l.Length > 1)
            .Where(l => File.Exists(Path.Combine(contextRoot, l.Substring(1))) || Directory.Exists(Path.Combine(contextRoot, l.Substring(1))));
        var exceptions = notRead.Where(l => l.StartsWith("!", StringComparison.Ordinal)).Concat(theirs)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(l => l, StringComparer.Ordinal);
        return notRead.Where(l => !l.StartsWith("!", StringComparison.Ordinal)).Concat(exceptions).ToList();
    }

    /// <summary>The user's patterns of a generated .dockerignore: what follows the template's last line.</summary>
    internal static IReadOnlyList<string> UserPatterns(string generated)
    {
        var lines = generated.Split('\n');
        var last = Array.LastIndexOf(lines, DockerIgnoreTemplate.LastTemplateLine);
        return last < 0 ? Array.Empty<string>() : lines.Skip(last + 1).Where(l => l.Length > 0).ToList();
    }

    /// <summary>
    /// The projects, other than this one, whose generated Dockerfiles lie in the context root or beside this Dockerfile
    /// and which still exist, as the Dockerfiles name them.
    /// </summary>
    private static List<string> OtherApplications(ContextLayout layout, string? dockerfilePath)
    {
        var folders = new[] { layout.Root, Path.GetDirectoryName(dockerfilePath ?? layout.Root) ?? layout.Root }
            .Select(f => Path.GetFullPath(f)).Distinct(PathUtil.Comparer);
        return folders.Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f))
            .Where(f => Path.GetFileName(f).Contains(WellKnownNames.Dockerfile, StringComparison.OrdinalIgnoreCase))
            .Select(f => FileOwnership.GeneratedFrom(AtomicFile.ReadOrNull(f)))
            .OfType<string>()
            .Where(p => !PathUtil.Comparer.Equals(p, layout.EntryProject) && File.Exists(Path.Combine(layout.Root, p)))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
    }
}
