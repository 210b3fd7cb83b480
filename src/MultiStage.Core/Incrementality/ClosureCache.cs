using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MultiStage.Model;

using MultiStage.IO;

namespace MultiStage.Incrementality;

/// <summary>
/// Keeps the evaluated ProjectReference closure between runs, so a publish where nothing the evaluation read has
/// changed skips evaluating the graph again. It is valid while the key (entry project, global properties, MSBuild
/// version) matches and every watched path is as it was: each project file, import and lock file (time and size),
/// the files in the folders holding them and any out-of-project sources (a file added there can change an import
/// condition or a glob), the Directory.* files MSBuild looks for above every project (present or not) and the
/// global.json files there (time and size).
/// Folders are compared by their list of files, not their time, so the Dockerfile this SDK writes beside a
/// project invalidates the cache only in the run that first creates it.
/// </summary>
public static class ClosureCache
{
    private const string Header = "multistage-closure-cache 2";
    private static readonly string[] AutoImports = { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" };

    /// <summary>A cache key (or folder stamp): the SHA-256 of the parts, one per line, in hex.</summary>
    public static string Key(IEnumerable<string> parts)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(string.Join("\n", parts)));
        return string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>The cached closure, or null when there is none or anything it depends on changed.</summary>
    public static IReadOnlyList<ProjectNode>? TryRead(string cacheFile, string key)
    {
        if (PathStamp.ReadCacheLines(cacheFile, Header, key) is not { } lines)
        {
            return null;
        }

        var nodes = new List<ProjectNode>();
        Builder? current = null;
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            if (PathStamp.Holds(parts) is { } holds)
            {
                if (!holds)
                {
                    return null;
                }

                continue;
            }

            if (parts.Length == 4 && parts[0] == "read" && current is not null)
            {
                current.Reads.Add(new BuildRead(parts[1], parts[3], parts[2] == "1"));
                continue;
            }

            if (parts.Length != 2)
            {
                return null;
            }

            switch (parts[0])
            {
                case "node":
                    if (current is not null)
                    {
                        nodes.Add(current.Build());
                    }

                    current = new Builder(parts[1]);
                    break;
                case "ref" when current is not null: current.References.Add(parts[1]); break;
                case "import" when current is not null: current.Imports.Add(parts[1]); break;
                case "source" when current is not null: current.Sources.Add(parts[1]); break;
                case "out" when current is not null: current.Outputs.Add(parts[1]); break;
                case "lock" when current is not null: current.LockFile = parts[1]; break;
                default: return null;
            }
        }

        if (current is not null)
        {
            nodes.Add(current.Build());
        }

        return nodes.Count > 0 ? nodes : null;
    }

    /// <summary>
    /// Stores the closure evaluated at <paramref name="evaluatedAtUtc"/>. Nothing is stored when a watched file changed
    /// after that moment (the evaluation may have seen it half-way) or a path cannot be written down.
    /// </summary>
    public static bool Write(string cacheFile, string key, IReadOnlyList<ProjectNode> closure, DateTime evaluatedAtUtc)
    {
        try
        {
            // Created first: creating it later would change the entries of a watched folder (obj/ under the project).
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cacheFile))!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var text = PathStamp.StartCacheText(Header, key);
        foreach (var (kind, path) in Watched(closure))
        {
            if (!PathStamp.Writable(path) || PathStamp.ChangedSince(kind, path, evaluatedAtUtc))
            {
                return false;
            }

            PathStamp.AppendStampLine(text, kind, path);
        }

        foreach (var node in closure)
        {
            var values = new[] { node.ProjectPath }.Concat(node.References).Concat(node.Imports).Concat(node.SourceFiles).Concat(node.OutputDirectories)
                .Concat(node.LockFile is null ? Array.Empty<string>() : new[] { node.LockFile });
            if (!values.Concat(node.ReadFiles.SelectMany(r => new[] { r.Path, r.Via })).All(PathStamp.Writable))
            {
                return false;
            }

            text.Append("node\t").Append(node.ProjectPath).Append('\n');
            Append(text, "ref", node.References);
            Append(text, "import", node.Imports);
            Append(text, "source", node.SourceFiles);
            Append(text, "out", node.OutputDirectories);
            foreach (var read in node.ReadFiles)
            {
                text.Append("read\t").Append(read.Path).Append('\t').Append(read.Required ? '1' : '0').Append('\t').Append(read.Via).Append('\n');
            }

            if (node.LockFile is not null)
            {
                text.Append("lock\t").Append(node.LockFile).Append('\n');
            }
        }

        try
        {
            AtomicFile.WriteIfChanged(cacheFile, text.ToString());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a cache: the next run evaluates again.
            return false;
        }
    }

    /// <summary>What the closure's evaluation depended on, as <see cref="PathStamp"/> kinds: files, folders (their files) and probes.</summary>
    internal static IEnumerable<(PathStampKind Kind, string Path)> Watched(IReadOnlyList<ProjectNode> closure)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        var probes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var node in closure)
        {
            var projectDir = Path.GetDirectoryName(node.ProjectPath)!;
            files.Add(node.ProjectPath);
            folders.Add(projectDir);
            foreach (var file in node.Imports.Concat(node.LockFile is null ? Array.Empty<string>() : new[] { node.LockFile }))
            {
                files.Add(file);
                folders.Add(Path.GetDirectoryName(file)!);
            }

            foreach (var source in node.SourceFiles.Concat(node.ReadFiles.Select(r => r.Path)).Where(s => !PathUtil.IsUnder(s, PathUtil.AsDirectory(projectDir))))
            {
                folders.Add(Path.GetDirectoryName(source)!);
            }

            for (var dir = projectDir; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                foreach (var name in AutoImports)
                {
                    probes.Add(Path.Combine(dir, name));
                }

                // Its msbuild-sdks section picks the versions of MSBuild project SDKs, and so which files they import.
                files.Add(Path.Combine(dir, "global.json"));
            }
        }

        return files.Select(f => (PathStampKind.File, f)).Concat(folders.Select(d => (PathStampKind.Folder, d))).Concat(probes.Select(p => (PathStampKind.Probe, p)));
    }

    private static void Append(StringBuilder text, string tag, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            text.Append(tag).Append('\t').Append(value).Append('\n');
        }
    }

    private sealed class Builder(string path)
    {
        public List<string> References { get; } = new();
        public List<string> Imports { get; } = new();
        public List<string> Sources { get; } = new();
        public List<string> Outputs { get; } = new();
        public List<BuildRead> Reads { get; } = new();
        public string? LockFile { get; set; }

        public ProjectNode Build() => new()
        {
            ProjectPath = path,
            References = References,
            Imports = Imports,
            SourceFiles = Sources,
            OutputDirectories = Outputs,
            ReadFiles = Reads,
            LockFile = LockFile,
        };
    }
}
