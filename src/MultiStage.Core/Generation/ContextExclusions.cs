using MultiStage.DockerIgnoreMatching;
using MultiStage.IO;
using MultiStage.Model;

namespace MultiStage.Generation;

/// <summary>
/// The part of the generated .dockerignore that follows from the input set: what no build of the closure reads
/// (documentation, projects outside the closure) is left out of the context, and every path the build stage copies
/// or the build reads is let back in by an exception, so the patterns can never hide an input.
/// </summary>
public static class ContextExclusions
{
    /// <summary>Files and folders builds do not read unless a project names them (and then an exception lets them in).</summary>
    public static readonly IReadOnlyList<string> NotReadPatterns = new[] { "**/*.md", "**/docs/" };

    private static readonly string[] ProjectExtensions = { ".csproj", ".fsproj", ".vbproj" };

    /// <summary>Patterns, then exceptions, for the layout; <paramref name="toolState"/> is what is excluded anyway (never walked).</summary>
    /// <paramref name="closureProjects"/> null: the file serves several apps (each with its own Dockerfile), so no
    /// project folder is left out for one app's sake.
    public static IReadOnlyList<string> For(ContextLayout layout, DockerIgnore toolState, IEnumerable<string>? closureProjects)
    {
        var others = closureProjects is null ? Enumerable.Empty<string>() : OtherProjectFolders(layout.Root, toolState, closureProjects);
        var patterns = NotReadPatterns.Concat(others).ToList();
        var matcher = DockerIgnore.Parse(string.Join("\n", patterns));
        var needed = layout.RestoreInputs.Concat(layout.OtherFiles).Concat(layout.SourceFolders.Where(f => f.Length > 0))
            .Concat(layout.ReadFiles)
            .Select(p => p.TrimEnd('/'))
            .Where(p => p.Length > 0 && matcher.IsExcluded(p))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => "!" + p);
        return patterns.Concat(needed).ToList();
    }

    /// <summary>
    /// Folders of project files that are not in the closure and hold no project of it (test and benchmark projects,
    /// other apps), as root-relative patterns.
    /// </summary>
    internal static IEnumerable<string> OtherProjectFolders(string root, DockerIgnore toolState, IEnumerable<string> closureProjects)
    {
        var closureDirs = closureProjects.Select(p => PathUtil.AsDirectory(Path.GetDirectoryName(Path.GetFullPath(p))!)).ToList();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(PathUtil.AsDirectory(root));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            var relative = PathUtil.Relative(root, dir);
            if (relative.Length > 0 && (toolState.IsExcluded(relative) || relative == WellKnownNames.StateFolder))
            {
                continue;
            }

            string[] files;
            string[] subdirectories;
            try
            {
                files = Directory.GetFiles(dir);
                subdirectories = Directory.GetDirectories(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var isOtherProject = relative.Length > 0
                && files.Any(f => ProjectExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                && !closureDirs.Any(c => PathUtil.IsUnder(c, dir) || PathUtil.IsUnder(dir, c));
            if (isOtherProject)
            {
                found.Add(relative + "/");
                continue;
            }

            // Symbolic links are not followed: the context carries them as links, and a loop would never end.
            foreach (var sub in subdirectories.Where(d => (File.GetAttributes(d) & FileAttributes.ReparsePoint) == 0).OrderBy(d => d, StringComparer.Ordinal))
            {
                pending.Push(PathUtil.AsDirectory(sub));
            }
        }

        return found;
    }
}
