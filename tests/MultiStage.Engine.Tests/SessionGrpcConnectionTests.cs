using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using MultiStage.Engine.Session;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The session's HTTP/2 server driven by .NET's own HTTP/2 client (prior-knowledge h2c), an implementation
/// independent of ours: Huffman-coded and indexed headers, flow control, pings and settings as a real peer sends them.
/// </summary>
[TestClass]
public sealed class SessionGrpcConnectionTests
{
    [TestMethod]
    public async Task HealthCheckAnswersServing()
    {
        await using var server = await Server.StartAsync(new Dictionary<string, byte[]>());

        var (status, body) = await server.CallAsync(HealthService.CheckMethod, new HealthCheckRequest());

        Assert.AreEqual("0", status);
        Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, HealthCheckResponse.Parser.ParseFrom(body).Status);
    }

    [TestMethod]
    public async Task GivenSecretIsReturnedAndAnUnknownOneIsNotFound()
    {
        await using var server = await Server.StartAsync(new Dictionary<string, byte[]> { ["s1"] = "value"u8.ToArray() });

        var (status, body) = await server.CallAsync(SecretsService.GetSecretMethod, new GetSecretRequest { ID = "s1" });
        var (missingStatus, missingBody) = await server.CallAsync(SecretsService.GetSecretMethod, new GetSecretRequest { ID = "other" });

        Assert.AreEqual("0", status);
        Assert.AreEqual("value", GetSecretResponse.Parser.ParseFrom(body).Data.ToStringUtf8());
        Assert.AreEqual("5", missingStatus, "NotFound, which BuildKit treats as an absent secret");
        Assert.AreEqual(0, missingBody.Length);
    }

    [TestMethod]
    public async Task UnknownMethodIsUnimplemented()
    {
        await using var server = await Server.StartAsync(new Dictionary<string, byte[]>());

        var (status, _) = await server.CallAsync("/moby.filesync.v1.FileSync/DiffCopy", new HealthCheckRequest());

        Assert.AreEqual("12", status);
    }

    [TestMethod]
    public async Task SecretLargerThanTheFlowControlWindowArrivesWhole()
    {
        // 300 kB: several times the 64 KiB initial windows and many 16 KiB frames.
        var large = new byte[300_000];
        new Random(7).NextBytes(large);
        await using var server = await Server.StartAsync(new Dictionary<string, byte[]> { ["big"] = large });

        var (status, body) = await server.CallAsync(SecretsService.GetSecretMethod, new GetSecretRequest { ID = "big" });

        Assert.AreEqual("0", status);
        CollectionAssert.AreEqual(large, GetSecretResponse.Parser.ParseFrom(body).Data.ToByteArray());
    }

    [TestMethod]
    public async Task ManyCallsOnOneConnectionOutlastTheReceiveWindow()
    {
        // 100 requests of 2 kB: more than the connection's 64 KiB receive window, which only works if it is refilled.
        await using var server = await Server.StartAsync(new Dictionary<string, byte[]> { [new string('k', 2000)] = "v"u8.ToArray() });

        var calls = Enumerable.Range(0, 100).Select(_ => server.CallAsync(SecretsService.GetSecretMethod, new GetSecretRequest { ID = new string('k', 2000) }));
        var results = await Task.WhenAll(calls);

        Assert.IsTrue(results.All(r => r.Status == "0"), string.Join(", ", results.Select(r => r.Status)));
        Assert.AreEqual(1, server.Connections, "all calls share one HTTP/2 connection");
    }

    [TestMethod]
    public void GrpcMessageIsPercentEncoded()
    {
        Assert.AreEqual("secret %C3%A9 50%25 not found", Session.Http2.GrpcConnection.PercentEncode("secret é 50% not found"));
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly HttpClient _client;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;

        private Server(TcpListener listener, IReadOnlyDictionary<string, byte[]> secrets)
        {
            _listener = listener;
            var secretsService = new SecretsService(secrets);
            var methods = new Dictionary<string, GrpcHandler>
            {
                [SecretsService.GetSecretMethod] = GrpcReply.Unary(secretsService.GetSecretAsync),
                [HealthService.CheckMethod] = GrpcReply.Unary(HealthService.CheckAsync),
            };
            _accepting = AcceptAsync(methods);
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public int Connections => _connections;

        public static Task<Server> StartAsync(IReadOnlyDictionary<string, byte[]> secrets)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new Server(listener, secrets));
        }

        public async Task<(string Status, byte[] Body)> CallAsync(string method, IMessage message)
        {
            var payload = message.ToByteArray();
            var framed = new byte[5 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(framed, 5);
            using var request = new HttpRequestMessage(HttpMethod.Post, method)
            {
                Content = new ByteArrayContent(framed),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            using var response = await _client.SendAsync(request);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
                : response.Headers.GetValues("grpc-status").Single();
            return (status, body.Length == 0 ? [] : body[5..]);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }

        private async Task AcceptAsync(IReadOnlyDictionary<string, GrpcHandler> methods)
        {
            var served = new List<Task>();
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    served.Add(Task.Run(async () =>
                    {
                        await using var stream = new NetworkStream(socket, ownsSocket: true);
                        try
                        {
                            await new Session.Http2.GrpcConnection(stream, methods).RunAsync(_stop.Token);
                        }
                        catch (Exception ex) when (ex is OperationCanceledException or IOException)
                        {
                        }
                    }));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            await Task.WhenAll(served);
        }
    }
}
