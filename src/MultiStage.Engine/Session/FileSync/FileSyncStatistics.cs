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

    /// <summary>DiffCopy calls served.</summary>
    public int Calls { get; private set; }

    /// <summary>Files whose content BuildKit asked for.</summary>
    public int FilesSent { get; private set; }

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

    public void Add(string directory, IReadOnlyList<FileSyncEntry> entries, int filesSent, long dataBytesSent, long bytesSent)
    {
        lock (_gate)
        {
            Calls++;
            FilesSent += filesSent;
            DataBytesSent += dataBytesSent;
            BytesSent += bytesSent;
            if (directory != FileSyncService.ContextDirectory)
            {
                return;
            }

            var files = entries.Where(e => e.IsRegularFile).ToList();
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
}
