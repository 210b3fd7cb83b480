using System.Text;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Context;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// Walks a folder for BuildKit's file sync the way fsutil's sender does (tonistiigi/fsutil filter.go over a
/// <c>filepath.WalkDir</c>): depth first, the entries of each folder sorted by the bytes of their UTF-8 names, a
/// folder right before its contents. The receiver checks that order (fsutil validator.go) and fails the transfer on
/// any other. A path is sent when an include pattern (or follow path) selects it or a folder above it, when there
/// are any, and no exclusion removes it; a folder that is not sent itself is still sent, before its contents, when
/// something inside it is. Links are sent as links, never followed; FIFOs, sockets and devices are left out, as in
/// the context archive.
/// </summary>
internal sealed class FileSyncWalk
{
    /// <summary>Go's string order: bytes of the UTF-8 encoding (UTF-16 order differs above U+D7FF).</summary>
    public static readonly IComparer<string> PathOrder = Comparer<string>.Create(
        static (a, b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));

    private readonly string _root;
    private readonly DockerIgnore? _includes;
    private readonly DockerIgnore _excludes;
    private readonly CancellationToken _cancellationToken;
    private readonly List<FileSyncEntry> _entries = new();

    // Folders walked without being sent yet: sent, in order, once something inside them is.
    private readonly List<FileSyncEntry> _pending = new();

    public FileSyncWalk(string root, DockerIgnore? includes, DockerIgnore excludes, CancellationToken cancellationToken)
    {
        _root = root;
        _includes = includes;
        _excludes = excludes;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// The include list of a request: its include patterns and follow paths, plus the targets of links on the follow
    /// paths (fsutil's FollowLinks: BuildKit names the path a Dockerfile copies, which may be a link to what it needs).
    /// Null when the request narrows nothing.
    /// </summary>
    public static DockerIgnore? Includes(FileSyncRequest request, string? root)
    {
        if (request.IncludePatterns.Count == 0 && request.FollowPaths.Count == 0)
        {
            return null;
        }

        var patterns = request.IncludePatterns.Concat(request.FollowPaths).ToList();
        if (root is not null)
        {
            patterns.AddRange(request.FollowPaths.SelectMany(p => LinkTargets(root, p)));
        }

        return DockerIgnore.FromPatterns(patterns.Distinct(StringComparer.Ordinal));
    }

    /// <exception cref="ContextFileException">A file or folder cannot be read.</exception>
    public IReadOnlyList<FileSyncEntry> Run()
    {
        if (!Directory.Exists(_root))
        {
            throw new ContextFileException(_root, ".", new DirectoryNotFoundException($"Build context directory '{_root}' does not exist."));
        }

        WalkDirectory(new DirectoryInfo(_root), string.Empty, null, null);
        return _entries;
    }

    private void WalkDirectory(DirectoryInfo directory, string relativeDirectory, bool[]? parentIncludes, bool[]? parentExcludes)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var children = ContextDirectory.List(directory, relativeDirectory, PathOrder);
        foreach (var child in children)
        {
            var relative = relativeDirectory.Length == 0 ? child.Name : relativeDirectory + "/" + child.Name;
            var kind = Kind(child, relative);
            var isDirectory = kind == FileKind.Directory;

            // Not selected by the include list: only a folder below which it may select something is looked into.
            var includeMatches = _includes is null ? null : new bool[_includes.PatternCount];
            var selected = _includes is null || _includes.Evaluate(relative, parentIncludes, includeMatches!);
            if (!selected && !(isDirectory && _includes!.MayMatchBelow(relative, includeMatches!)))
            {
                continue;
            }

            // Excluded: only a folder below which an exception may re-include something is looked into.
            var excludeMatches = new bool[_excludes.PatternCount];
            var excluded = _excludes.Evaluate(relative, parentExcludes, excludeMatches);
            if (excluded && !(isDirectory && _excludes.HasExceptions && _excludes.MayReincludeBelow(relative, excludeMatches)))
            {
                continue;
            }

            if (kind == FileKind.Special)
            {
                continue;
            }

            var entry = Entry(child, relative, kind);
            if (!isDirectory)
            {
                Add(entry);
                continue;
            }

            if (selected && !excluded)
            {
                Add(entry);
                WalkDirectory((DirectoryInfo)child, relative, includeMatches, excludeMatches);
                continue;
            }

            _pending.Add(entry);
            WalkDirectory((DirectoryInfo)child, relative, includeMatches, excludeMatches);
            if (_pending.Count > 0 && ReferenceEquals(_pending[^1], entry))
            {
                _pending.RemoveAt(_pending.Count - 1);
            }
        }
    }

    private void Add(FileSyncEntry entry)
    {
        _entries.AddRange(_pending);
        _pending.Clear();
        _entries.Add(entry);
    }

    private static FileKind Kind(FileSystemInfo info, string relative)
    {
        if (UnixFileType.TryGetKind(info.FullName) is { } kind)
        {
            return kind;
        }

        try
        {
            return info.LinkTarget is not null ? FileKind.Symlink : info is DirectoryInfo ? FileKind.Directory : FileKind.Regular;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContextFileException(info.FullName, relative, e);
        }
    }

    /// <summary>The stat fsutil would send: Go mode bits, size (a link's is its target's length), time in nanoseconds, owner 0 as the CLI maps it.</summary>
    private static FileSyncEntry Entry(FileSystemInfo info, string relative, FileKind kind)
    {
        try
        {
            info.Refresh();
            if (!info.Exists && kind != FileKind.Symlink)
            {
                throw new FileNotFoundException("The entry no longer exists.", info.FullName);
            }

            var stat = new Stat
            {
                Path = relative,
                ModTime = (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100,
            };
            switch (kind)
            {
                case FileKind.Directory:
                    stat.Mode = GoFileMode.From(info.UnixFileMode, directory: true, symlink: false);
                    break;
                case FileKind.Symlink:
                    stat.Linkname = info.LinkTarget ?? throw new IOException("not a symbolic link any more");
                    stat.Mode = GoFileMode.Symlink | 0x1FF;
                    stat.Size = Encoding.UTF8.GetByteCount(stat.Linkname);
                    break;
                default:
                    stat.Mode = GoFileMode.From(info.UnixFileMode, directory: false, symlink: false);
                    stat.Size = ((FileInfo)info).Length;
                    break;
            }

            return new FileSyncEntry(relative, stat, info.FullName, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContextFileException(info.FullName, relative, e);
        }
    }

    /// <summary>
    /// The links along a follow path and where they lead, as paths inside the folder: a follow path "app/x" where
    /// "app" is a link to "src/app" also includes the link "app" and "src/app/x". Paths with wildcards and links
    /// leaving the folder add nothing.
    /// </summary>
    private static IEnumerable<string> LinkTargets(string root, string followPath)
    {
        var path = GoPath.Clean(followPath.Replace('\\', '/')).TrimStart('/');
        var results = new List<string>();
        for (var hops = 0; hops < 40 && path.Length > 0 && path != "." && path.IndexOfAny(['*', '?', '[', '\\']) < 0; hops++)
        {
            var segments = path.Split('/');
            string? next = null;
            for (var i = 1; i <= segments.Length && next is null; i++)
            {
                var prefix = string.Join('/', segments[..i]);
                var full = Path.Combine(root, prefix);
                if (UnixFileType.TryGetKind(full) != FileKind.Symlink || new FileInfo(full).LinkTarget is not { } target)
                {
                    continue;
                }

                var resolved = target.StartsWith('/') ? Path.GetRelativePath(root, target).Replace('\\', '/') : GoPath.Clean(GoPath.Dir(prefix) + "/" + target);
                if (resolved == ".." || resolved.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(resolved))
                {
                    return results;
                }

                next = GoPath.Clean(string.Join('/', new[] { resolved }.Concat(segments[i..])));
                results.Add(prefix);
            }

            if (next is null)
            {
                break;
            }

            results.Add(next);
            path = next;
        }

        return results;
    }
}
