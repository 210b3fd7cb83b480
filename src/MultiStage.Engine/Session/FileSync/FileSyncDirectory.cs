using System.Buffers.Binary;
using System.Security.Cryptography;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// A directory the session offers BuildKit under a name: a folder on disk with the client's exclusions (the build
/// context, as the docker CLI offers it), or files held in memory (a Dockerfile that is not where BuildKit should
/// look for it).
/// </summary>
internal sealed class FileSyncDirectory
{
    private readonly IReadOnlyList<(string Name, byte[] Content)> _files;

    private FileSyncDirectory(string? root, DockerIgnore? excludes, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        Root = root;
        Excludes = excludes;
        _files = files;
    }

    /// <summary>The folder on disk; null for in-memory files.</summary>
    public string? Root { get; }

    /// <summary>
    /// The client's exclusions: they replace those BuildKit sends unless it asks to override them, as the docker CLI's
    /// own file sync provider does, so the context is what .dockerignore leaves whoever reads .dockerignore.
    /// </summary>
    public DockerIgnore? Excludes { get; }

    public static FileSyncDirectory OnDisk(string root, DockerIgnore? excludes) => new(Path.GetFullPath(root), excludes, []);

    public static FileSyncDirectory InMemory(params (string Name, byte[] Content)[] files) => new(null, null, files);

    /// <summary>The entries BuildKit gets for <paramref name="request"/>, in the order fsutil requires.</summary>
    /// <exception cref="Context.ContextFileException">A file or folder cannot be read.</exception>
    /// <exception cref="DockerIgnoreException">A pattern BuildKit sent is malformed.</exception>
    public IReadOnlyList<FileSyncEntry> Walk(FileSyncRequest request, CancellationToken cancellationToken)
    {
        var excludes = Excludes is { PatternCount: > 0 } && !request.OverrideExcludes
            ? Excludes
            : DockerIgnore.FromPatterns(request.ExcludePatterns);
        if (Root is null)
        {
            var includes = FileSyncWalk.Includes(request, null);
            return _files
                .Where(f => (includes is null || includes.IsExcluded(f.Name)) && !excludes.IsExcluded(f.Name))
                .OrderBy(f => f.Name, FileSyncWalk.PathOrder)
                .Select(f => new FileSyncEntry(f.Name, Stat(f.Name, f.Content), null, f.Content))
                .ToList();
        }

        return new FileSyncWalk(Root, FileSyncWalk.Includes(request, Root), excludes, cancellationToken).Run();
    }

    /// <summary>
    /// An in-memory file has no modification time of its own: one derived from its content makes BuildKit fetch it
    /// again exactly when the content changes (it compares size and time), and the same bytes keep the same stat.
    /// </summary>
    private static Stat Stat(string name, byte[] content)
    {
        var hash = SHA256.HashData(content);
        return new Stat
        {
            Path = name,
            Mode = 0x1A4, // rw-r--r--
            Size = content.Length,
            // Below 2^58 ns (1979): a valid time on every file system BuildKit writes to.
            ModTime = BinaryPrimitives.ReadInt64BigEndian(hash) & 0x03FF_FFFF_FFFF_FFFF,
        };
    }
}

/// <summary>One path BuildKit gets a stat for: a file on disk, a file in memory, a folder or a link.</summary>
internal sealed record FileSyncEntry(string Path, Stat Stat, string? FullPath, byte[]? Content)
{
    public bool IsRegularFile => GoFileMode.IsRegular(Stat.Mode);
}
