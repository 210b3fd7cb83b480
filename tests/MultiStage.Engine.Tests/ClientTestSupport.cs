using System.Collections.Concurrent;
using System.Formats.Tar;
using MultiStage.Engine.Client;
using MultiStage.Logging;

namespace MultiStage.Engine.Tests;

/// <summary>Collects what the client logs.</summary>
internal sealed class TestLog : ILog
{
    private readonly ConcurrentQueue<(string Kind, string? Code, string Message, Verbosity Verbosity)> _entries = new();

    public IReadOnlyList<(string Kind, string? Code, string Message, Verbosity Verbosity)> Entries => _entries.ToArray();

    /// <summary>The lines an operation ends with (<see cref="Verbosity.Summary"/>), shown at every verbosity.</summary>
    public IEnumerable<string> SummaryLines => Entries.Where(e => e.Kind == "info" && e.Verbosity == Verbosity.Summary).Select(e => e.Message);

    public IEnumerable<string> Lines(Verbosity upTo) => Entries.Where(e => e.Kind == "info" && e.Verbosity <= upTo).Select(e => e.Message);

    public string All => string.Join("\n", Entries.Select(e => e.Message));

    public void Error(string code, string message, string? file = null) => _entries.Enqueue(("error", code, message, Verbosity.Minimal));

    public void Warning(string code, string message, string? file = null) => _entries.Enqueue(("warning", code, message, Verbosity.Minimal));

    public void Info(string message, Verbosity verbosity = Verbosity.Normal) => _entries.Enqueue(("info", null, message, verbosity));
}

/// <summary>A temporary directory removed at dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mstage-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A build context made of in-memory files (tests that do not exercise the context writer). USTAR entries: BuildKit
/// in Docker 20.10 takes an upload whose first header is a PAX extended header for a bare Dockerfile.
/// </summary>
internal sealed class InMemoryContext(params (string Name, string Content)[] files) : IBuildContextSource
{
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var (name, content) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A build context whose writer fails part-way, as when a context file cannot be read.</summary>
internal sealed class FailingContext(Exception failure) : IBuildContextSource
{
    public async Task WriteTarAsync(Stream destination, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(new byte[4096], cancellationToken).ConfigureAwait(false);
        throw failure;
    }
}
