using MultiStage.Diagnostics;
using MultiStage.IO;
using MultiStage.Incrementality;
using MultiStage.Logging;
using MultiStage.Model;
using MultiStage.NuGet;

namespace MultiStage.Generation;

/// <summary>Works out the build context from the project graph: what restore needs and where the sources are.</summary>
public static class ContextPlanner
{
    private const string GlobalJson = "global.json";

    /// <summary>The layout for <paramref name="contextRoot"/>, the user's build-context root (a full path), or an inferred one when it is null.</summary>
    public static ContextLayout? Plan(ProjectFacts project, string? contextRoot, IReadOnlyList<string> externalRoots, ILog log)
    {
        var closure = project.Closure.Count > 0
            ? project.Closure
            : new[] { new ProjectNode { ProjectPath = project.ProjectPath } };
        var outputDirs = closure.SelectMany(n => n.OutputDirectories).Select(PathUtil.AsDirectory).ToList();

        bool IsRepoFile(string path) =>
            !outputDirs.Any(o => PathUtil.IsUnder(path, o))
            && !externalRoots.Any(r => PathUtil.IsUnder(path, r))
            && (project.RepositoryRoot is null || PathUtil.IsUnder(path, project.RepositoryRoot));

        var projectFiles = closure.Select(n => Path.GetFullPath(n.ProjectPath)).ToList();
        var imports = closure.SelectMany(n => n.Imports).Select(Path.GetFullPath).Where(IsRepoFile).ToList();
        var lockFiles = closure.Select(n => n.LockFile).Where(f => f is not null && File.Exists(f)).Select(f => Path.GetFullPath(f!)).ToList();
        var inputs = lockFiles.Select(f => (PathStampKind.File, f)).ToList();

        // Sources that live outside their project's folder (linked files, shared folders) need their folder copied too.
        var sourceFolders = new List<string>();
        foreach (var node in OrderDependenciesFirst(closure, project.ProjectPath))
        {
            var projectDir = PathUtil.AsDirectory(Path.GetDirectoryName(Path.GetFullPath(node.ProjectPath))!);
            sourceFolders.Add(projectDir);
            foreach (var source in node.SourceFiles.Select(Path.GetFullPath).Where(IsRepoFile))
            {
                if (!PathUtil.IsUnder(source, projectDir))
                {
                    sourceFolders.Add(PathUtil.AsDirectory(Path.GetDirectoryName(source)!));
                }
            }
        }

        string root;
        if (contextRoot is not null)
        {
            root = PathUtil.AsDirectory(contextRoot);
            var outside = projectFiles.Concat(imports).Concat(lockFiles).Concat(sourceFolders).FirstOrDefault(p => !PathUtil.IsUnder(p, root));
            if (outside is not null)
            {
                log.Error(ErrorCodes.OutsideContext, $"MultiStageContextRoot '{contextRoot}' does not contain '{outside}', which the build stage needs. Choose a folder that holds every project of the closure and the files they import, or leave MultiStageContextRoot empty.");
                return null;
            }
        }
        else
        {
            root = PathUtil.CommonDirectory(projectFiles.Select(Path.GetDirectoryName).Concat(imports.Select(Path.GetDirectoryName)).Concat(sourceFolders)!);
        }

        // NuGet.config and global.json apply from every folder above a project; only those inside the context can be copied.
        var walkUps = new SortedSet<string>(StringComparer.Ordinal);
        var configs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in projectFiles)
        {
            for (var dir = Path.GetDirectoryName(file); dir is not null && PathUtil.IsUnder(PathUtil.AsDirectory(dir), root); dir = Path.GetDirectoryName(dir))
            {
                inputs.AddRange(NuGetConfigChain.FileNames.Append(GlobalJson).Select(name => (PathStampKind.File, Path.Combine(dir, name))));
                var globalJson = Path.Combine(dir, GlobalJson);
                if (File.Exists(globalJson) && HasExactName(dir, GlobalJson))
                {
                    walkUps.Add(globalJson);
                }

                if (NuGetConfigChain.InDirectory(dir) is { } config)
                {
                    configs.Add(config);
                }
            }
        }

        // A folder feed named by a NuGet.config in the context is read by restore too: copy it with the restore inputs.
        var named = configs.SelectMany(LocalFeeds).Distinct(StringComparer.Ordinal).ToList();
        inputs.AddRange(named.Select(feed => (PathStampKind.Entry, feed)));
        var feeds = named.Where(Directory.Exists)
            .Where(feed => PathUtil.IsUnder(feed, root) && PathUtil.AsDirectory(feed) != root)
            .Select(feed => PathUtil.Relative(root, feed) + "/");

        var restoreInputs = projectFiles.Concat(imports).Concat(lockFiles).Concat(walkUps)
            .Select(p => PathUtil.Relative(root, p))
            .Concat(feeds)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();

        var folders = new List<string>();
        foreach (var folder in sourceFolders.Select(f => PathUtil.Relative(root, f)))
        {
            var normalized = folder.Length == 0 ? "" : folder + "/";
            // A folder inside one already copied adds nothing; keep the first (dependencies-first) position.
            if (!folders.Any(f => normalized.StartsWith(f, StringComparison.Ordinal)))
            {
                folders.RemoveAll(f => f.StartsWith(normalized, StringComparison.Ordinal));
                folders.Add(normalized);
            }
        }

        log.Info($"Build context: {root} ({restoreInputs.Count} restore inputs, {folders.Count} source folders).", Verbosity.Detailed);
        return new ContextLayout
        {
            Root = root,
            RestoreInputs = restoreInputs,
            SourceFolders = folders,
            EntryProject = PathUtil.Relative(root, Path.GetFullPath(project.ProjectPath)),
            NuGetConfigs = configs.Select(c => new NuGetConfigPlacement(c, PathUtil.Relative(root, c))).ToList(),
            Inputs = inputs,
        };
    }

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

    /// <summary>On case-insensitive file systems File.Exists matches any casing; copy the file under its real name once.</summary>
    private static bool HasExactName(string dir, string name) =>
        Directory.EnumerateFiles(dir, name).Any(f => string.Equals(Path.GetFileName(f), name, StringComparison.Ordinal));
}
