using MultiStage.Engine.Context;

namespace MultiStage.Engine.Session.FileSync;

/// <summary>
/// What the file sync of one build transferred: every DiffCopy call BuildKit made, summed, and the largest single
/// offer of the build context (its size is what the context size warning weighs).
/// </summary>
internal sealed class FileSyncStatistics
{
    private readonly object _gate = new();
    private readonly List<Exception> _failures = new();
    private readonly HashSet<string> _contextFilesOffered = new(StringComparer.Ordinal);
    private readonly HashSet<string> _contextFilesSent = new(StringComparer.Ordinal);

    /// <summary>DiffCopy calls served.</summary>
    public int Calls { get; private set; }

    /// <summary>
    /// Files of the build context whose content BuildKit asked for, each once: the Dockerfile frontend fetches the
    /// context's .dockerignore in a call of its own before the context, and the Dockerfile's folder is no part of it.
    /// </summary>
    public int FilesSent => Locked(() => _contextFilesSent.Count);

    /// <summary>Files of the build context offered in any call, each once: what <see cref="FilesSent"/> counts against.</summary>
    public int ContextFiles => Locked(() => _contextFilesOffered.Count);

    /// <summary>File contents sent on all calls, the Dockerfile's and repeats included.</summary>
    public int Transfers { get; private set; }

    /// <summary>Bytes of file content sent.</summary>
    public long DataBytesSent { get; private set; }

    /// <summary>Bytes of every gRPC message sent on the calls (stats, data and control packets with their framing).</summary>
    public long BytesSent { get; private set; }

    /// <summary>The largest offer of the build context: its regular files, their total size and the largest of them.</summary>
    public BuildContextResult? LargestContextOffer { get; private set; }

    /// <summary>The first local failure (a file that could not be read) or protocol failure, if any.</summary>
    public Exception? FirstFailure
    {
        get
        {
            lock (_gate)
            {
                return _failures.FirstOrDefault(f => f is ContextFileException) ?? _failures.FirstOrDefault();
            }
        }
    }

    public void Fail(Exception failure)
    {
        lock (_gate)
        {
            _failures.Add(failure);
        }
    }

    public void Add(string directory, IReadOnlyList<FileSyncEntry> entries, IReadOnlyCollection<FileSyncEntry> filesSent, long dataBytesSent, long bytesSent)
    {
        lock (_gate)
        {
            Calls++;
            Transfers += filesSent.Count;
            DataBytesSent += dataBytesSent;
            BytesSent += bytesSent;
            if (directory != FileSyncService.ContextDirectory)
            {
                return;
            }

            var files = entries.Where(e => e.IsRegularFile).ToList();
            _contextFilesOffered.UnionWith(files.Select(f => f.Path));
            _contextFilesSent.UnionWith(filesSent.Select(f => f.Path));
            var size = files.Sum(f => f.Stat.Size);
            if (LargestContextOffer is null || size > LargestContextOffer.BytesWritten)
            {
                var largest = new LargestFiles(ContextSizeWarning.LargestFileCount);
                foreach (var file in files)
                {
                    largest.Add(file.Path, file.Stat.Size);
                }

                LargestContextOffer = new BuildContextResult(
                    size,
                    files.Count,
                    entries.Count(e => (e.Stat.Mode & GoFileMode.Directory) != 0),
                    entries.Count(e => (e.Stat.Mode & GoFileMode.Symlink) != 0),
                    0)
                { LargestFiles = largest.ToList() };
            }
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
