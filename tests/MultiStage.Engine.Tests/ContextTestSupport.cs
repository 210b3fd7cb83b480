using System.Diagnostics;
using System.Formats.Tar;

namespace MultiStage.Engine.Tests;

/// <summary>Helpers shared by the build context and BuildKit tests.</summary>
internal static class ContextTestSupport
{
    /// <summary>
    /// Path of a file under this project's TestData folder, found by walking up from the test binaries
    /// (they live under the repository's artifacts folder), so no copy step is needed.
    /// </summary>
    public static string TestDataPath(params string[] parts)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "MultiStage.Engine.Tests", "TestData");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(new[] { candidate }.Concat(parts).ToArray());
            }
        }

        throw new DirectoryNotFoundException("tests/MultiStage.Engine.Tests/TestData not found above " + AppContext.BaseDirectory);
    }

    public static string CreateTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "msctx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void WriteFile(string root, string relative, string content = "x")
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public static void Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {output}");
        }
    }

    /// <summary>Reads a tar stream back into name → entry (data copied out).</summary>
    public static List<(TarEntry Entry, byte[] Data)> ReadTar(Stream tar)
    {
        var entries = new List<(TarEntry, byte[])>();
        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            byte[] data = Array.Empty<byte>();
            if (entry.DataStream is not null)
            {
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                data = buffer.ToArray();
            }

            entries.Add((entry, data));
        }

        return entries;
    }
}

/// <summary>A write-only, non-seekable sink that only counts bytes, and can run an action on its first write.</summary>
internal sealed class CountingSink : Stream
{
    private Action? _onFirstWrite;

    public CountingSink(Action? onFirstWrite = null) => _onFirstWrite = onFirstWrite;

    public long Count { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Action? action = _onFirstWrite;
        _onFirstWrite = null;
        action?.Invoke();
        Count += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
