using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;

namespace MultiStage.Bench;

internal sealed record ImageInfo(string Id, long Size, IReadOnlyList<string> Layers, string WorkingDir, IReadOnlyList<string> Entrypoint);

/// <summary>The docker CLI calls the harness needs; always the Debian client, which builds with BuildKit.</summary>
internal sealed class Docker(string logPath)
{
    public const string Cli = "/usr/bin/docker";

    private readonly Dictionary<string, long> _layerSizes = new(StringComparer.Ordinal);

    public string LogPath { get; } = logPath;

    public string Text(params string[] arguments) => Proc.Text(Cli, LogPath, arguments);

    public bool TryRun(params string[] arguments) =>
        Proc.Run(Cli, arguments, Environment.CurrentDirectory, LogPath, timeout: TimeSpan.FromMinutes(10)).Ok;

    public ImageInfo? Inspect(string reference)
    {
        var result = Proc.Run(Cli, ["image", "inspect", reference], Environment.CurrentDirectory, LogPath, timeout: TimeSpan.FromMinutes(2));
        if (!result.Ok)
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.Output);
        var image = json.RootElement[0];
        var config = image.GetProperty("Config");
        var layers = image.GetProperty("RootFS").TryGetProperty("Layers", out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(e => e.GetString()!).ToList()
            : new List<string>();
        var entrypoint = config.TryGetProperty("Entrypoint", out var ep) && ep.ValueKind == JsonValueKind.Array
            ? ep.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
            : new List<string>();
        var workdir = config.TryGetProperty("WorkingDir", out var wd) ? wd.GetString() ?? "" : "";
        return new ImageInfo(image.GetProperty("Id").GetString()!, image.GetProperty("Size").GetInt64(), layers, workdir, entrypoint);
    }

    /// <summary>
    /// Uncompressed size of each layer of the image, by diff ID, read from `docker save`: the manifest lists the
    /// layer tars in RootFS order, so position i of the config's diff_ids is the tar at position i.
    /// </summary>
    public IReadOnlyDictionary<string, long> LayerSizes(string imageId)
    {
        var tarSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var jsons = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new SaveReader(tarSizes, links, jsons);
        var result = Proc.Run(Cli, ["save", imageId], Environment.CurrentDirectory, LogPath, timeout: TimeSpan.FromMinutes(10), stdoutSink: reader);
        reader.Complete();
        if (!result.Ok)
        {
            throw new BenchException($"docker save {imageId} failed:\n{result.Tail()}");
        }

        using var manifest = JsonDocument.Parse(jsons["manifest.json"]);
        var entry = manifest.RootElement[0];
        var layerPaths = entry.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()!).ToList();
        using var config = JsonDocument.Parse(jsons[entry.GetProperty("Config").GetString()!]);
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        if (diffIds.Count != layerPaths.Count)
        {
            throw new BenchException($"docker save {imageId}: {diffIds.Count} diff IDs but {layerPaths.Count} layer files");
        }

        for (var i = 0; i < diffIds.Count; i++)
        {
            var path = layerPaths[i];
            for (var hops = 0; links.TryGetValue(path, out var target) && hops < 8; hops++)
            {
                path = target;
            }

            _layerSizes[diffIds[i]] = tarSizes.TryGetValue(path, out var size) ? size : throw new BenchException($"docker save {imageId}: no data for {layerPaths[i]}");
        }

        return _layerSizes;
    }

    /// <summary>Bytes of the layers of <paramref name="after"/> that <paramref name="before"/> does not have: what a push of the new image uploads.</summary>
    public long NewLayerBytes(ImageInfo before, ImageInfo after, out int newLayers)
    {
        var known = before.Layers.ToHashSet(StringComparer.Ordinal);
        var fresh = after.Layers.Where(l => !known.Contains(l)).Distinct().ToList();
        newLayers = fresh.Count;
        if (fresh.Count == 0)
        {
            return 0;
        }

        var sizes = fresh.All(_layerSizes.ContainsKey) ? _layerSizes : LayerSizes(after.Id);
        return fresh.Sum(l => sizes[l]);
    }

    /// <summary>Size of one file inside an image, read through `docker cp` from a created (never started) container.</summary>
    public long FileSize(string imageId, string path, string containerName)
    {
        var id = Text("create", "--network", "none", "--name", containerName, imageId);
        try
        {
            long size = -1;
            var sink = new FirstEntrySize(s => size = s);
            var result = Proc.Run(Cli, ["cp", $"{id}:{path}", "-"], Environment.CurrentDirectory, LogPath, timeout: TimeSpan.FromMinutes(5), stdoutSink: sink);
            sink.Complete();
            if (!result.Ok || size < 0)
            {
                throw new BenchException($"docker cp {path} from {imageId} failed:\n{result.Tail()}");
            }

            return size;
        }
        finally
        {
            TryRun("rm", "-f", id);
        }
    }

    /// <summary>Runs the image as a user would and checks its output; web apps are asked over loopback.</summary>
    public (bool Ok, string Detail) Check(string image, Asset asset, string containerName)
    {
        if (asset.IsWeb)
        {
            var port = FreePort();
            var id = Proc.Run(Cli, ["run", "-d", "--network", "host", "--name", containerName, "-e", $"ASPNETCORE_URLS=http://127.0.0.1:{port}", image], Environment.CurrentDirectory, LogPath);
            if (!id.Ok)
            {
                return (false, id.Tail(3));
            }

            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                for (var i = 0; i < 60; i++)
                {
                    try
                    {
                        var body = http.GetStringAsync($"http://127.0.0.1:{port}/").GetAwaiter().GetResult();
                        return body.Contains(asset.Expected, StringComparison.Ordinal) ? (true, body.Trim()) : (false, "unexpected body: " + body.Trim());
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (TaskCanceledException)
                    {
                    }

                    Thread.Sleep(500);
                }

                return (false, "no answer on loopback within 30 s");
            }
            finally
            {
                TryRun("rm", "-f", containerName);
            }
        }

        var run = Proc.Run(Cli, ["run", "--rm", "--network", "none", "--name", containerName, image], Environment.CurrentDirectory, LogPath, timeout: TimeSpan.FromMinutes(2));
        var text = run.Output.Trim();
        var line = text.Split('\n').LastOrDefault(l => l.Contains(asset.Expected, StringComparison.Ordinal)) ?? run.Tail(2);
        return (run.Ok && text.Contains(asset.Expected, StringComparison.Ordinal), line.Trim());
    }

    public static long ParseHumanBytes(string text)
    {
        // BuildKit's plain progress prints go-units sizes: decimal multiples, e.g. 1.23kB, 12.5MB.
        var units = new (string Suffix, double Factor)[] { ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return (long)Math.Round(value * factor);
            }
        }

        throw new BenchException($"not a size: '{text}'");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Reads a `docker save` stream as it arrives, keeping only the sizes of layer tars and the small JSON files.</summary>
    private sealed class SaveReader : PipeSink
    {
        public SaveReader(Dictionary<string, long> sizes, Dictionary<string, string> links, Dictionary<string, string> jsons)
            : base(stream =>
            {
                using var tar = new TarReader(stream, leaveOpen: true);
                while (tar.GetNextEntry() is { } entry)
                {
                    var name = entry.Name.TrimStart('.', '/');
                    if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    {
                        var target = entry.EntryType == TarEntryType.HardLink
                            ? entry.LinkName.TrimStart('.', '/')
                            : Path.GetFullPath(Path.Combine("/" + Path.GetDirectoryName(name), entry.LinkName)).TrimStart('/');
                        links[name] = target;
                    }
                    else if (name.EndsWith(".tar", StringComparison.Ordinal) || name.StartsWith("blobs/", StringComparison.Ordinal))
                    {
                        sizes[name] = entry.Length;
                    }
                    else if (name.EndsWith(".json", StringComparison.Ordinal) && entry.DataStream is { } data && entry.Length < (16 << 20))
                    {
                        using var text = new StreamReader(data, leaveOpen: true);
                        jsons[name] = text.ReadToEnd();
                    }
                }
            })
        {
        }
    }

    private sealed class FirstEntrySize : PipeSink
    {
        public FirstEntrySize(Action<long> found)
            : base(stream =>
            {
                using var tar = new TarReader(stream, leaveOpen: true);
                if (tar.GetNextEntry() is { } entry)
                {
                    found(entry.Length);
                }

                stream.CopyTo(Stream.Null);
            })
        {
        }
    }
}

/// <summary>A write-only stream whose bytes a consumer reads on another thread (through a pipe), so large outputs are never buffered whole.</summary>
internal abstract class PipeSink : Stream
{
    private readonly System.IO.Pipelines.Pipe _pipe = new();
    private readonly Stream _writer;
    private readonly Task _consumer;

    protected PipeSink(Action<Stream> consume)
    {
        _writer = _pipe.Writer.AsStream();
        _consumer = Task.Run(() =>
        {
            using var reader = _pipe.Reader.AsStream();
            try
            {
                consume(reader);
            }
            finally
            {
                // Drain whatever the consumer did not read so the producer never blocks.
                reader.CopyTo(Stream.Null);
            }
        });
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Complete()
    {
        _writer.Dispose();
        _consumer.GetAwaiter().GetResult();
    }

    public override void Flush() => _writer.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _writer.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _writer.WriteAsync(buffer, offset, count, cancellationToken);
}
