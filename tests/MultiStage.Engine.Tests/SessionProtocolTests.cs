using System.Text;
using MultiStage.Engine.Session;
using MultiStage.Engine.Session.Http2;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class SessionProtocolTests
{
    [TestMethod]
    public async Task FramesRoundTripThroughTheWireFormat()
    {
        var frame = new Http2Frame(Http2FrameType.Headers, Http2Flags.EndHeaders | Http2Flags.EndStreamOrAck, 0x7FFFFFFF, [1, 2, 3]);
        using var wire = new MemoryStream(frame.ToBytes());

        var read = await Http2Frame.ReadAsync(wire, Http2Frame.DefaultMaxPayload, CancellationToken.None);

        Assert.IsNotNull(read);
        Assert.AreEqual(frame.Type, read.Type);
        Assert.AreEqual(frame.Flags, read.Flags);
        Assert.AreEqual(frame.StreamId, read.StreamId);
        CollectionAssert.AreEqual(frame.Payload, read.Payload);
        Assert.IsNull(await Http2Frame.ReadAsync(wire, Http2Frame.DefaultMaxPayload, CancellationToken.None), "end of stream");
    }

    [TestMethod]
    public void ContentLeavesOutPaddingAndPriority()
    {
        // Pad length 2, then a 5-byte priority block, the fragment "abc", and 2 bytes of padding.
        byte[] payload = [2, 0, 0, 0, 1, 16, (byte)'a', (byte)'b', (byte)'c', 0, 0];
        var frame = new Http2Frame(Http2FrameType.Headers, Http2Flags.Padded | Http2Flags.Priority, 1, payload);

        Assert.AreEqual("abc", Encoding.ASCII.GetString(frame.Content().Span));
    }

    [TestMethod]
    public void PaddingLongerThanTheFrameIsAProtocolError()
    {
        var frame = new Http2Frame(Http2FrameType.Data, Http2Flags.Padded, 1, [9, 1, 2]);

        Assert.AreEqual(Http2ErrorCode.ProtocolError, Assert.ThrowsExactly<Http2Exception>(() => frame.Content()).Code);
    }

    [TestMethod]
    public async Task FrameLargerThanAnnouncedIsAFrameSizeError()
    {
        var frame = new Http2Frame(Http2FrameType.Data, Http2Flags.None, 1, new byte[Http2Frame.DefaultMaxPayload + 1]);
        using var wire = new MemoryStream(frame.ToBytes());

        var error = await Assert.ThrowsExactlyAsync<Http2Exception>(() => Http2Frame.ReadAsync(wire, Http2Frame.DefaultMaxPayload, CancellationToken.None));

        Assert.AreEqual(Http2ErrorCode.FrameSizeError, error.Code);
    }

    [TestMethod]
    public void UpgradeRequestExposesEachMethodAndTheSession()
    {
        var text = Encoding.ASCII.GetString(SessionUpgrade.Request("abc123", "key1", [SecretsService.GetSecretMethod, HealthService.CheckMethod]));
        var lines = text.Split("\r\n");

        Assert.AreEqual("POST /session HTTP/1.1", lines[0]);
        CollectionAssert.Contains(lines, "Upgrade: h2c");
        CollectionAssert.Contains(lines, "Connection: Upgrade");
        CollectionAssert.Contains(lines, "X-Docker-Expose-Session-Uuid: abc123");
        CollectionAssert.Contains(lines, "X-Docker-Expose-Session-Sharedkey: key1");
        CollectionAssert.Contains(lines, "X-Docker-Expose-Session-Grpc-Method: /moby.buildkit.secrets.v1.Secrets/GetSecret");
        CollectionAssert.Contains(lines, "X-Docker-Expose-Session-Grpc-Method: /grpc.health.v1.Health/Check");
        StringAssert.EndsWith(text, "\r\n\r\n");
    }

    [TestMethod]
    public async Task UpgradeFailsWithTheEngineStatusLineUnless101()
    {
        using var answer = new DuplexStub("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        var error = await Assert.ThrowsExactlyAsync<SessionRefusedException>(() => SessionUpgrade.UpgradeAsync(answer, "id", "key", [], CancellationToken.None));

        Assert.AreEqual("HTTP/1.1 404 Not Found", error.Message);
    }

    [TestMethod]
    public async Task UpgradeLeavesWhatFollowsTheHeadersInTheStream()
    {
        using var answer = new DuplexStub("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nPRI");

        await SessionUpgrade.UpgradeAsync(answer, "id", "key", [], CancellationToken.None);

        Assert.AreEqual("PRI", new StreamReader(answer).ReadToEnd());
    }

    [TestMethod]
    [DataRow("http://docker/v1.41/build?t=a%3A1&version=2", "http://docker/v1.41/build?t=a%3A1&version=2&session=s%201")]
    [DataRow("http://docker/build", "http://docker/build?session=s%201")]
    [DataRow("http://docker/v1.41/images/create?fromImage=x", "http://docker/v1.41/images/create?fromImage=x")]
    public async Task OnlyBuildRequestsNameTheSession(string sent, string expected)
    {
        var inner = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new MultiStage.Engine.Client.BuildQueryClient.BuildQueryHandler("session=" + Uri.EscapeDataString("s 1"), inner));

        using var _ = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, sent), CancellationToken.None);

        Assert.AreEqual(expected, inner.Seen!.AbsoluteUri);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public Uri? Seen { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage());
        }
    }

    /// <summary>Reads a fixed answer and swallows what is written.</summary>
    private sealed class DuplexStub(string answer) : MemoryStream(Encoding.ASCII.GetBytes(answer))
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
