using MultiStage.Diagnostics;
using MultiStage.Inputs;
using MultiStage.IO;
using MultiStage.Incrementality;
using MultiStage.Logging;
using MultiStage.Model;
using MultiStage.NuGet;

namespace MultiStage.Generation;

/// <summary>
/// Works out the build context from what the builds of the closure read: project files and imports, the files their
/// items and properties name, and the files tools look for above the projects (see docs/build-context.md).
/// </summary>
public static class ContextPlanner
{
    /// <summary>The layout for <paramref name="contextRoot"/>, the user's build-context root (a full path), or an inferred one when it is null.</summary>
    public static ContextLayout? Plan(ProjectFacts project, string? contextRoot, IReadOnlyList<string> externalRoots, ILog log)
    {
        var closure = project.Closure.Count > 0
            ? project.Closure
            : new[] { new ProjectNode { ProjectPath = project.ProjectPath } };
        var outputDirs = closure.SelectMany(n => n.OutputDirectories).Select(PathUtil.AsDirectory).ToList();
        var repository = project.RepositoryRoot is null ? null : PathUtil.AsDirectory(project.RepositoryRoot);

        bool Generated(string path) =>
            outputDirs.Any(o => PathUtil.IsUnder(path, o)) || externalRoots.Any(r => PathUtil.IsUnder(path, r));
        bool InRepository(string path) => repository is null || PathUtil.IsUnder(path, repository);
        bool IsRepoFile(string path) => !Generated(path) && InRepository(path);

        var projectFiles = closure.Select(n => Path.GetFullPath(n.ProjectPath)).ToList();
        var imports = closure.SelectMany(n => n.Imports).Select(Path.GetFullPath).Where(IsRepoFile).ToList();
        var lockFiles = closure.Select(n => n.LockFile).Where(f => f is not null && File.Exists(f)).Select(f => Path.GetFullPath(f!)).ToList();
        var inputs = lockFiles.Select(f => (PathStampKind.File, f)).ToList();
        var ordered = OrderDependenciesFirst(closure, project.ProjectPath);
        var projectDirs = ordered.Select(n => PathUtil.AsDirectory(Path.GetDirectoryName(Path.GetFullPath(n.ProjectPath))!)).ToList();

        // Files named by items and documented properties go in wherever they are in the repository; what the general
        // property rule finds only when it lies inside the folders those already span (it may catch a mere look-alike).
        var reads = Reads(closure, Generated, InRepository, log);
        var required = reads.Where(r => r.Value.Required).Select(r => r.Key).ToList();
        var spanned = PathUtil.CommonDirectory(projectDirs.Concat(imports.Select(Path.GetDirectoryName)).Concat(required.Select(Path.GetDirectoryName))!);
        var readFiles = reads.Keys.Where(p => reads[p].Required || PathUtil.IsUnder(p, repository ?? spanned)).ToList();

        // Where tools look above the projects: to the repository root, else to the folders the projects already span.
        var boundary = contextRoot is not null ? PathUtil.AsDirectory(contextRoot) : repository ?? spanned;
        var entryDir = Path.GetDirectoryName(Path.GetFullPath(project.ProjectPath))!;
        var ancestors = AncestorFiles.Find(projectDirs, entryDir, readFiles.Select(Path.GetDirectoryName)!, boundary, contextRoot is null && repository is not null);
        foreach (var outside in ancestors.AnalyzerConfigsOutside)
        {
            log.Warning(ErrorCodes.ReadOutsideRepository, $"{outside} is outside the repository {repository}: the compiler applies it to the sources below it on this machine, the build stage cannot have it, so the image's build may differ. Move its settings into the repository's .editorconfig.", outside);
        }

        inputs.AddRange(ancestors.Probes.Select(p => (PathStampKind.File, p)));
        readFiles.AddRange(ancestors.AnalyzerConfigs);
        var walkUps = ancestors.GlobalJsons.Concat(ancestors.ResponseFilePath is null ? Array.Empty<string>() : new[] { ancestors.ResponseFilePath }).ToList();

        string root;
        if (contextRoot is not null)
        {
            root = PathUtil.AsDirectory(contextRoot);
            var outside = projectFiles.Concat(imports).Concat(lockFiles).Concat(required).FirstOrDefault(p => !PathUtil.IsUnder(p, root));
            if (outside is not null)
            {
                log.Error(ErrorCodes.OutsideContext, $"MultiStageContextRoot '{contextRoot}' does not contain '{outside}', which the build stage needs{Via(reads, outside)}. Choose a folder that holds every project of the closure and the files they read, or leave MultiStageContextRoot empty.");
                return null;
            }

            readFiles.RemoveAll(p => !PathUtil.IsUnder(p, root));
        }
        else
        {
            root = PathUtil.CommonDirectory(projectDirs
                .Concat(new[] { imports, lockFiles, readFiles, walkUps, ancestors.NuGetConfigs.ToList() }.SelectMany(f => f).Select(Path.GetDirectoryName))!);
        }

        // A folder feed named by a NuGet.config in the context is read by restore too: copy it with the restore inputs.
        var configs = ancestors.NuGetConfigs.Where(c => PathUtil.IsUnder(c, root)).ToList();
        var named = configs.SelectMany(LocalFeeds).Distinct(StringComparer.Ordinal).ToList();
        inputs.AddRange(named.Select(feed => (PathStampKind.Entry, feed)));
        var feeds = named.Where(Directory.Exists)
            .Where(feed => PathUtil.IsUnder(feed, root) && PathUtil.AsDirectory(feed) != root)
            .Select(feed => PathUtil.Relative(root, feed) + "/")
            .ToList();

        var restoreInputs = projectFiles.Concat(imports).Concat(lockFiles).Concat(walkUps.Where(p => PathUtil.IsUnder(p, root)))
            .Select(p => PathUtil.Relative(root, p))
            .Concat(feeds)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();

        var folders = new List<string>();
        foreach (var folder in projectDirs.Select(f => PathUtil.Relative(root, f)))
        {
            var normalized = folder.Length == 0 ? "" : folder + "/";
            // A folder inside one already copied adds nothing; keep the first (dependencies-first) position.
            if (!folders.Any(f => normalized.StartsWith(f, StringComparison.Ordinal)))
            {
                folders.RemoveAll(f => f.StartsWith(normalized, StringComparison.Ordinal));
                folders.Add(normalized);
            }
        }

        // Outside the project folders, each file alone: copying a folder above them would take the whole repository.
        var loose = readFiles.Select(p => PathUtil.Relative(root, p))
            .Where(p => !folders.Any(f => p.StartsWith(f, StringComparison.Ordinal)) && !restoreInputs.Contains(p, StringComparer.Ordinal)
                && !feeds.Any(f => p.StartsWith(f, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();

        log.Info($"Build context: {root} ({restoreInputs.Count} restore inputs, {folders.Count} source folders, {loose.Count} other files).", Verbosity.Detailed);
        return new ContextLayout
        {
            Root = root,
            RestoreInputs = restoreInputs,
            SourceFolders = folders,
            OtherFiles = loose,
            ReadFiles = readFiles.Where(p => PathUtil.IsUnder(p, root)).Select(p => PathUtil.Relative(root, p)).Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToList(),
            EntryProject = PathUtil.Relative(root, Path.GetFullPath(project.ProjectPath)),
            NuGetConfigs = configs.Select(c => new NuGetConfigPlacement(c, PathUtil.Relative(root, c))).ToList(),
            Inputs = inputs,
        };
    }

    /// <summary>
    /// The files the closure's evaluations name (sources and other reads), by path with what first named each; a file
    /// outside the repository named by an item or a documented property is a warning (the general rule's are dropped).
    /// </summary>
    private static SortedDictionary<string, BuildRead> Reads(IReadOnlyList<ProjectNode> closure, Func<string, bool> generated, Func<string, bool> inRepository, ILog log)
    {
        var reads = new SortedDictionary<string, BuildRead>(StringComparer.Ordinal);
        var warned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in closure.OrderBy(n => n.ProjectPath, StringComparer.Ordinal))
        {
            var name = Path.GetFileName(node.ProjectPath);
            var all = node.SourceFiles.Select(s => new BuildRead(s, "an item of " + name, true)).Concat(node.ReadFiles);
            foreach (var read in all)
            {
                var path = Path.GetFullPath(read.Path);
                if (generated(path) || IsProjectFile(path))
                {
                    continue;
                }

                if (!inRepository(path))
                {
                    if (read.Required && warned.Add(path))
                    {
                        log.Warning(ErrorCodes.ReadOutsideRepository, $"{path}, which the build reads ({read.Via}), is outside the repository: the build stage cannot have it, and the image's build will fail or differ. Move the file into the repository.", node.ProjectPath);
                    }

                    continue;
                }

                if (!reads.TryGetValue(path, out var known) || (read.Required && !known.Required))
                {
                    reads[path] = read with { Path = path };
                }
            }
        }

        return reads;

        bool IsProjectFile(string path) => closure.Any(n => PathUtil.Comparer.Equals(Path.GetFullPath(n.ProjectPath), path));
    }

    private static string Via(IReadOnlyDictionary<string, BuildRead> reads, string path) =>
        reads.TryGetValue(path, out var read) ? $" ({read.Via})" : "";

    /// <summary>Topological order (references before referrers, ties by path) so an edit to the app leaves library layers cached.</summary>
    internal static IReadOnlyList<ProjectNode> OrderDependenciesFirst(IReadOnlyList<ProjectNode> closure, string entry)
    {
        var byPath = new Dictionary<string, ProjectNode>(PathUtil.Comparer);
        foreach (var node in closure)
        {
            byPath[Path.GetFullPath(node.ProjectPath)] = node;
        }

        var ordered = new List<ProjectNode>();
        var visited = new HashSet<string>(PathUtil.Comparer);

        void Visit(string path)
        {
            if (!visited.Add(path) || !byPath.TryGetValue(path, out var node))
            {
                return;
            }

            foreach (var reference in node.References.Select(Path.GetFullPath).OrderBy(p => p, StringComparer.Ordinal))
            {
                Visit(reference);
            }

            ordered.Add(node);
        }

        foreach (var path in byPath.Keys.OrderBy(p => p, StringComparer.Ordinal))
        {
            if (!PathUtil.Comparer.Equals(path, Path.GetFullPath(entry)))
            {
                Visit(path);
            }
        }

        // The entry project goes last: it changes most often.
        Visit(Path.GetFullPath(entry));
        var entryNode = ordered.FirstOrDefault(n => PathUtil.Comparer.Equals(Path.GetFullPath(n.ProjectPath), Path.GetFullPath(entry)));
        if (entryNode is not null)
        {
            ordered.Remove(entryNode);
            ordered.Add(entryNode);
        }

        return ordered;
    }

    /// <summary>Local folder sources a NuGet.config names, whether they exist or not (relative ones resolve against the config's folder).</summary>
    internal static IEnumerable<string> LocalFeeds(string nugetConfig)
    {
        System.Xml.Linq.XDocument document;
        try
        {
            document = System.Xml.Linq.XDocument.Load(nugetConfig);
        }
        catch (System.Xml.XmlException)
        {
            // NuGet itself reports a broken config during restore; the generator has nothing to add.
            yield break;
        }

        var sources = document.Root?.Element("packageSources");
        if (sources is null)
        {
            yield break;
        }

        foreach (var add in sources.Elements("add"))
        {
            var value = (string?)add.Attribute("value");
            if (value is null || value.Length == 0 || value.Contains("://") || value.Contains('%') || value.Contains('$'))
            {
                continue;
            }

            yield return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(nugetConfig)!, value.Replace('\\', Path.DirectorySeparatorChar)));
        }
    }
}
