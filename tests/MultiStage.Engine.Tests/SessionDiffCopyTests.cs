using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using MultiStage.DockerIgnoreMatching;
using MultiStage.Engine.Session;
using MultiStage.Engine.Session.FileSync;
using MultiStage.Engine.Session.Http2;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Tests;

/// <summary>
/// A DiffCopy call on the session's HTTP/2 server, with .NET's own HTTP/2 client playing BuildKit's receiving side:
/// the stream runs both ways at once, as fsutil's receive.go drives it.
/// </summary>
[TestClass]
public sealed class SessionDiffCopyTests
{
    [TestMethod]
    public async Task ReceiverGetsEveryStatThenOnlyTheFilesItAsksFor()
    {
        using var dir = new TempDirectory();
        dir.Write("a.txt", "first file");
        dir.Write("sub/b.txt", "second file");
        var service = new FileSyncService(new Dictionary<string, FileSyncDirectory> { ["context"] = FileSyncDirectory.OnDisk(dir.Path, DockerIgnore.Empty) });
        await using var server = Server.Start(service.DiffCopyAsync);
        await using var call = await server.OpenAsync("context");

        var stats = await call.ReadStatsAsync();
        CollectionAssert.AreEqual(new[] { "a.txt", "sub", "sub/b.txt" }, stats.Select(s => s.Path).ToList());
        await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketReq, ID = 2 });
        var content = await call.ReadFileAsync(2);
        await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketFin });
        var fin = await call.ReadPacketAsync();
        var status = await call.EndAsync();

        Assert.AreEqual("second file", System.Text.Encoding.UTF8.GetString(content));
        Assert.AreEqual(Packet.Types.PacketType.PacketFin, fin!.Type);
        Assert.AreEqual("0", status);
        Assert.AreEqual(1, service.Statistics.FilesSent, "a.txt was not asked for");
        Assert.AreEqual("second file".Length, service.Statistics.DataBytesSent);
        Assert.AreEqual(2, service.Statistics.LargestContextOffer!.Files);
    }

    [TestMethod]
    public async Task TheSummaryCountsTheContextsFilesOnceEach()
    {
        // As BuildKit's Dockerfile frontend asks on a first build: the context's .dockerignore alone, the Dockerfile's
        // folder, then the context. The .dockerignore travels twice and the Dockerfile is no file of the context.
        using var context = new TempDirectory();
        context.Write(".dockerignore", "obj/");
        context.Write("a.txt", "a");
        using var dockerfile = new TempDirectory();
        dockerfile.Write("Dockerfile", "FROM scratch");
        var service = new FileSyncService(new Dictionary<string, FileSyncDirectory>
        {
            ["context"] = FileSyncDirectory.OnDisk(context.Path, DockerIgnore.Empty),
            ["dockerfile"] = FileSyncDirectory.OnDisk(dockerfile.Path, DockerIgnore.Empty),
        });

        async Task FetchAllAsync(string directory, params string[] includePatterns)
        {
            await using var server = Server.Start(service.DiffCopyAsync);
            await using var call = await server.OpenAsync(directory, includePatterns);
            var stats = await call.ReadStatsAsync();
            for (var id = 0u; id < stats.Count; id++)
            {
                await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketReq, ID = id });
                await call.ReadFileAsync(id);
            }

            await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketFin });
            await call.ReadPacketAsync();
            Assert.AreEqual("0", await call.EndAsync());
        }

        await FetchAllAsync("context", ".dockerignore");
        await FetchAllAsync("dockerfile");
        await FetchAllAsync("context");

        Assert.AreEqual(3, service.Statistics.Calls);
        Assert.AreEqual(2, service.Statistics.LargestContextOffer!.Files);
        Assert.AreEqual(2, service.Statistics.FilesSent, "files of the context sent, each once");
    }

    [TestMethod]
    public async Task LargeFileArrivesWholeInChunksOfAtMost32KiB()
    {
        using var dir = new TempDirectory();
        var data = new byte[300_000];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(Path.Combine(dir.Path, "big.bin"), data);
        var service = new FileSyncService(new Dictionary<string, FileSyncDirectory> { ["context"] = FileSyncDirectory.OnDisk(dir.Path, null) });
        await using var server = Server.Start(service.DiffCopyAsync);
        await using var call = await server.OpenAsync("context");

        await call.ReadStatsAsync();
        await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketReq, ID = 0 });
        var chunks = new List<int>();
        var content = await call.ReadFileAsync(0, chunks);
        await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketFin });
        await call.ReadPacketAsync();

        CollectionAssert.AreEqual(data, content);
        Assert.IsTrue(chunks.All(c => c <= DiffCopySender.ChunkSize), string.Join(",", chunks));
        Assert.AreEqual("0", await call.EndAsync());
    }

    [TestMethod]
    public async Task UnknownDirectoryIsNotFound()
    {
        var service = new FileSyncService(new Dictionary<string, FileSyncDirectory>());
        await using var server = Server.Start(service.DiffCopyAsync);
        await using var call = await server.OpenAsync("elsewhere");

        Assert.AreEqual("5", await call.EndAsync());
    }

    [TestMethod]
    public async Task RequestForSomethingNotOfferedAsAFileEndsTheCallWithAnError()
    {
        using var dir = new TempDirectory();
        dir.Write("sub/b.txt", "x");
        var service = new FileSyncService(new Dictionary<string, FileSyncDirectory> { ["context"] = FileSyncDirectory.OnDisk(dir.Path, null) });
        await using var server = Server.Start(service.DiffCopyAsync);
        await using var call = await server.OpenAsync("context");

        await call.ReadStatsAsync();
        await call.SendAsync(new Packet { Type = Packet.Types.PacketType.PacketReq, ID = 0 });

        Assert.AreEqual("2", await call.EndAsync(), "Unknown, as a Go handler's error");
        StringAssert.Contains(service.Statistics.FirstFailure!.Message, "entry 0");
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        public static Server Start(GrpcHandler handler)
        {
            var server = new Server();
            server._listener.Start();
            server._serving = Task.Run(async () =>
            {
                using var socket = await server._listener.AcceptSocketAsync(server._stop.Token);
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                try
                {
                    await new GrpcConnection(stream, new Dictionary<string, GrpcHandler> { [FileSyncService.DiffCopyMethod] = handler }).RunAsync(server._stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                }
            });
            return server;
        }

        public async Task<Call> OpenAsync(string directory, params string[] includePatterns)
        {
            var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
            var requestBody = new Pipe();
            var request = new HttpRequestMessage(HttpMethod.Post, FileSyncService.DiffCopyMethod)
            {
                Content = new DuplexContent(requestBody.Reader),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            request.Headers.TryAddWithoutValidation("dir-name", directory);
            foreach (var pattern in includePatterns)
            {
                request.Headers.TryAddWithoutValidation("include-patterns", pattern);
            }

            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return new Call(client, response, await response.Content.ReadAsStreamAsync(), requestBody.Writer);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }

    /// <summary>
    /// A request body written while the response is read (a content type of its own counts as duplex for HttpClient).
    /// </summary>
    private sealed class DuplexContent(PipeReader body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        // The token fires when the server ends the call before the request side is done: HttpClient waits for this
        // copy to stop before it completes the exchange.
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            // HttpClient queues a request's HEADERS frame unflushed when a body follows; it leaves with the next flushed
            // frame, often the SETTINGS ack, but when that ack goes first (a loaded machine) the server never sees the
            // call and the exchange hangs until the timeout. The server speaks first on DiffCopy: flush now.
            await stream.FlushAsync(cancellationToken);

            // Each message is flushed as it comes: HttpClient would otherwise hold it in its buffer.
            while (true)
            {
                var read = await body.ReadAsync(cancellationToken);
                foreach (var segment in read.Buffer)
                {
                    await stream.WriteAsync(segment, cancellationToken);
                }

                await stream.FlushAsync(cancellationToken);
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class Call(HttpClient client, HttpResponseMessage response, Stream responses, PipeWriter requests) : IAsyncDisposable
    {
        public async Task SendAsync(Packet packet)
        {
            var payload = packet.ToByteArray();
            var framed = new byte[5 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(framed, 5);
            await requests.WriteAsync(framed);
            await requests.FlushAsync();
        }

        public async Task<Packet?> ReadPacketAsync()
        {
            var prefix = new byte[5];
            if (await responses.ReadAtLeastAsync(prefix, 5, throwOnEndOfStream: false) < 5)
            {
                return null;
            }

            var message = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1))];
            await responses.ReadExactlyAsync(message);
            return Packet.Parser.ParseFrom(message);
        }

        public async Task<List<Stat>> ReadStatsAsync()
        {
            var stats = new List<Stat>();
            while (await ReadPacketAsync() is { Type: Packet.Types.PacketType.PacketStat } packet && packet.Stat is not null)
            {
                stats.Add(packet.Stat);
            }

            return stats;
        }

        public async Task<byte[]> ReadFileAsync(uint id, List<int>? chunks = null)
        {
            var content = new MemoryStream();
            while (await ReadPacketAsync() is { } packet)
            {
                Assert.AreEqual(Packet.Types.PacketType.PacketData, packet.Type);
                Assert.AreEqual(id, packet.ID);
                if (packet.Data.Length == 0)
                {
                    return content.ToArray();
                }

                chunks?.Add(packet.Data.Length);
                packet.Data.WriteTo(content);
            }

            Assert.Fail("the stream ended inside the file");
            return [];
        }

        /// <summary>Ends the request side, reads what is left and returns grpc-status.</summary>
        public async Task<string> EndAsync()
        {
            await requests.CompleteAsync();
            await responses.CopyToAsync(Stream.Null);
            return response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single() : response.Headers.GetValues("grpc-status").Single();
        }

        public async ValueTask DisposeAsync()
        {
            await requests.CompleteAsync();
            response.Dispose();
            client.Dispose();
        }
    }
}
