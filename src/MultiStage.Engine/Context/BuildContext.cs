using System.Formats.Tar;
using System.Runtime.InteropServices;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Model;

namespace MultiStage.Engine.Context;

/// <summary>Streams a build context directory as the tar archive the Docker Engine <c>/build</c> endpoint takes.</summary>
/// <remarks>
/// The walk is deterministic (ordinal order of names at every level) and never buffers file contents: each file is
/// copied from disk to the destination as its entry is written. Headers carry the real permission bits and
/// modification times (as the docker CLI sends them: the image's files keep their times, and the builder's cache keys
/// are computed from contents, not times; USTAR entries round a fraction of a second up, so an incremental build in a
/// cache mount never sees an edit as older than its outputs), zero owner ids and empty owner names (as the CLI's
/// <c>ChownOpts{0,0}</c>). Symbolic links are stored as links, never followed; FIFOs, sockets and devices are skipped.
/// Entries use the USTAR format when they fit it and PAX otherwise (long or non-ASCII names, large sizes).
/// Excluded directories are not walked unless an exception pattern could re-include something below them; such a
/// directory gets its entry only when something inside it is sent.
/// </remarks>
public static class BuildContext
{
    /// <summary>The archive name under which a Dockerfile that lives outside the context directory is sent.</summary>
    public const string GeneratedDockerfileName = WellKnownNames.StateFolder + "." + WellKnownNames.Dockerfile;

    private const int UstarNameLimit = 100;
    private const long UstarSizeLimit = 077777777777L;

    /// <summary>Writes the context archive of <paramref name="contextDirectory"/> to <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives the tar stream; needs not be seekable; left open.</param>
    /// <param name="contextDirectory">Root of the build context.</param>
    /// <param name="ignore">
    /// Exclusions; for a BuildKit build usually
    /// <c>DockerIgnore.Load(contextDirectory).KeepBuildFiles(relativeDockerfile, keepIgnoreFile: false)</c>
    /// so that an excluded Dockerfile is still sent (the builder reads it from the archive).
    /// </param>
    /// <param name="extraFiles">In-memory files written first; a context file of the same name is then left out.</param>
    /// <param name="cancellationToken">Stops the walk between and during entries.</param>
    /// <exception cref="ContextFileException">A context file or directory cannot be read.</exception>
    public static async Task<BuildContextResult> WriteTarAsync(
        Stream destination,
        string contextDirectory,
        DockerIgnore ignore,
        IReadOnlyCollection<BuildContextFile>? extraFiles = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(contextDirectory);
        ArgumentNullException.ThrowIfNull(ignore);

        var root = new DirectoryInfo(Path.GetFullPath(contextDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"Build context directory '{root.FullName}' does not exist.");
        }

        var counting = new CountingWriteStream(destination);
        var walk = new Walk(ignore, cancellationToken);
        var writer = new TarWriter(counting, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            walk.Writer = writer;
            foreach (BuildContextFile extra in extraFiles ?? Array.Empty<BuildContextFile>())
            {
                await walk.WriteExtraAsync(extra).ConfigureAwait(false);
            }

            await walk.WalkDirectoryAsync(root, string.Empty, null).ConfigureAwait(false);
        }

        await counting.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new BuildContextResult(counting.BytesWritten, walk.Files, walk.Directories, walk.Symlinks, walk.Special) { LargestFiles = walk.Largest.ToList() };
    }

    private sealed class Walk
    {
        private readonly DockerIgnore _ignore;
        private readonly CancellationToken _cancellationToken;
        private readonly HashSet<string> _extraNames = new(StringComparer.Ordinal);

        // Excluded directories walked for possible exceptions; written once something below them is written.
        private readonly List<(string Name, FileSystemInfo Info)> _pending = new();

        public Walk(DockerIgnore ignore, CancellationToken cancellationToken)
        {
            _ignore = ignore;
            _cancellationToken = cancellationToken;
        }

        public TarWriter Writer { get; set; } = null!;

        public int Files { get; private set; }

        public int Directories { get; private set; }

        public int Symlinks { get; private set; }

        public int Special { get; private set; }

        public LargestFiles Largest { get; } = new(ContextSizeWarning.LargestFileCount);

        public async Task WriteExtraAsync(BuildContextFile extra)
        {
            string name = GoPath.Clean(extra.Name.Replace('\\', '/'));
            if (name == "." || name.StartsWith('/') || name == ".." || name.StartsWith("../", StringComparison.Ordinal) || !_extraNames.Add(name))
            {
                throw new ArgumentException($"'{extra.Name}' is not a distinct relative path inside the context.", nameof(extra));
            }

            TarEntry entry = CreateEntry(TarEntryType.RegularFile, name, extra.Mode, extra.ModificationTime, extra.Content.Length, null);
            byte[] array = MemoryMarshal.TryGetArray(extra.Content, out ArraySegment<byte> segment) && segment.Array is not null
                ? segment.Array
                : extra.Content.ToArray();
            int offset = segment.Array is not null ? segment.Offset : 0;
            using var content = new MemoryStream(array, offset, extra.Content.Length, writable: false);
            entry.DataStream = content;
            await Writer.WriteEntryAsync(entry, _cancellationToken).ConfigureAwait(false);
            Largest.Add(name, extra.Content.Length);
            Files++;
        }

        public async Task WalkDirectoryAsync(DirectoryInfo directory, string relativeDirectory, bool[]? directoryMatches)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var children = ContextDirectory.List(directory, relativeDirectory, StringComparer.Ordinal);
            foreach (FileSystemInfo child in children)
            {
                string relative = relativeDirectory.Length == 0 ? child.Name : relativeDirectory + "/" + child.Name;
                if (_extraNames.Contains(relative))
                {
                    continue;
                }

                bool[] matches = new bool[_ignore.PatternCount];
                bool excluded = _ignore.Evaluate(relative, directoryMatches, matches);
                if (excluded && child is not DirectoryInfo)
                {
                    // Only directories (or links to them) may need a closer look once excluded.
                    continue;
                }

                FileKind kind = GetKind(child, relative);
                if (kind == FileKind.Directory)
                {
                    if (!excluded)
                    {
                        await WriteEntryAsync(child, relative, kind).ConfigureAwait(false);
                        await WalkDirectoryAsync((DirectoryInfo)child, relative, matches).ConfigureAwait(false);
                    }
                    else if (_ignore.HasExceptions && _ignore.MayReincludeBelow(relative, matches))
                    {
                        _pending.Add((relative, child));
                        await WalkDirectoryAsync((DirectoryInfo)child, relative, matches).ConfigureAwait(false);
                        if (_pending.Count > 0 && ReferenceEquals(_pending[^1].Info, child))
                        {
                            _pending.RemoveAt(_pending.Count - 1);
                        }
                    }

                    continue;
                }

                if (excluded)
                {
                    continue;
                }

                if (kind == FileKind.Special)
                {
                    Special++;
                    continue;
                }

                await WriteEntryAsync(child, relative, kind).ConfigureAwait(false);
            }
        }

        private static FileKind GetKind(FileSystemInfo info, string relative)
        {
            FileKind? kind = UnixFileType.TryGetKind(info.FullName);
            if (kind is not null)
            {
                return kind.Value;
            }

            try
            {
                if (info.LinkTarget is not null)
                {
                    return FileKind.Symlink;
                }

                return info is DirectoryInfo ? FileKind.Directory : FileKind.Regular;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ContextFileException(info.FullName, relative, e);
            }
        }

        private async Task WriteEntryAsync(FileSystemInfo info, string relative, FileKind kind)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            foreach ((string name, FileSystemInfo pendingInfo) in _pending)
            {
                await WriteEntryCoreAsync(pendingInfo, name, FileKind.Directory).ConfigureAwait(false);
            }

            _pending.Clear();
            await WriteEntryCoreAsync(info, relative, kind).ConfigureAwait(false);
        }

        private async Task WriteEntryCoreAsync(FileSystemInfo info, string relative, FileKind kind)
        {
            switch (kind)
            {
                case FileKind.Directory:
                {
                    (UnixFileMode mode, DateTime mtime) = Stat(info, relative);
                    await Writer.WriteEntryAsync(CreateEntry(TarEntryType.Directory, relative + "/", mode, mtime, 0, null), _cancellationToken).ConfigureAwait(false);
                    Directories++;
                    break;
                }

                case FileKind.Symlink:
                {
                    string target;
                    DateTime mtime;
                    try
                    {
                        info.Refresh();
                        target = info.LinkTarget ?? throw new IOException("not a symbolic link any more");
                        mtime = info.LastWriteTimeUtc;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw new ContextFileException(info.FullName, relative, e);
                    }

                    // Links carry no permissions of their own on Linux; lstat reports 0777.
                    await Writer.WriteEntryAsync(CreateEntry(TarEntryType.SymbolicLink, relative, (UnixFileMode)0x1FF, mtime, 0, target), _cancellationToken).ConfigureAwait(false);
                    Symlinks++;
                    break;
                }

                default:
                    await WriteFileAsync(info, relative).ConfigureAwait(false);
                    Files++;
                    break;
            }
        }

        private async Task WriteFileAsync(FileSystemInfo info, string relative)
        {
            FileStream stream;
            UnixFileMode mode;
            DateTime mtime;
            try
            {
                // No FileStream buffer: the tar writer copies through its own pooled buffer.
                stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
                (mode, mtime) = Stat(info, relative);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ContextFileException(info.FullName, relative, e);
            }

            var content = new ContextFileReadStream(stream, relative);
            await using (content.ConfigureAwait(false))
            {
                long length;
                try
                {
                    length = stream.Length;
                }
                catch (IOException e)
                {
                    throw new ContextFileException(info.FullName, relative, e);
                }

                Largest.Add(relative, length);
                TarEntry entry = CreateEntry(TarEntryType.RegularFile, relative, mode, mtime, length, null);
                entry.DataStream = content;
                await Writer.WriteEntryAsync(entry, _cancellationToken).ConfigureAwait(false);
                if (content.BytesRead != length)
                {
                    // The header announced another size: the archive is unusable, stop here.
                    throw new ContextFileException(info.FullName, relative, new IOException($"the file changed size while it was read ({length} bytes announced, {content.BytesRead} read)"));
                }
            }
        }

        private static (UnixFileMode Mode, DateTime ModificationTime) Stat(FileSystemInfo info, string relative)
        {
            try
            {
                info.Refresh();
                if (!info.Exists)
                {
                    // FileSystemInfo reports placeholder values for a vanished entry instead of failing.
                    throw new FileNotFoundException("The entry no longer exists.", info.FullName);
                }

                return (info.UnixFileMode, info.LastWriteTimeUtc);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ContextFileException(info.FullName, relative, e);
            }
        }
    }

    /// <summary>
    /// USTAR keeps whole seconds. Rounding down would let a file edited within a second of the last build look older
    /// than that build's outputs in a cache mount, and MSBuild would skip compiling the edit; rounding up can at most
    /// cost one extra compile. (PAX would keep the fraction, but costs two blocks per entry, and BuildKit recognises an
    /// uploaded context as an archive only when its first 1024 bytes hold a complete header.)
    /// </summary>
    internal static DateTimeOffset WholeSecondsUp(DateTimeOffset time)
    {
        long seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.FromUnixTimeSeconds(seconds) < time ? seconds + 1 : seconds);
    }

    private static TarEntry CreateEntry(TarEntryType type, string name, UnixFileMode mode, DateTimeOffset modificationTime, long size, string? linkName)
    {
        bool ustar = name.Length <= UstarNameLimit
            && IsPlainAscii(name)
            && (linkName is null || (linkName.Length <= UstarNameLimit && IsPlainAscii(linkName)))
            && size <= UstarSizeLimit
            && modificationTime >= DateTimeOffset.UnixEpoch
            && modificationTime.ToUnixTimeSeconds() < UstarSizeLimit;

        PosixTarEntry entry = ustar ? new UstarTarEntry(type, name) : new PaxTarEntry(type, name);
        entry.Mode = mode;
        entry.ModificationTime = ustar ? WholeSecondsUp(modificationTime) : modificationTime;
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = string.Empty;
        entry.GroupName = string.Empty;
        if (linkName is not null)
        {
            entry.LinkName = linkName;
        }

        return entry;
    }

    private static bool IsPlainAscii(string value)
    {
        foreach (char c in value)
        {
            if (c == 0 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
