using System.Net.Sockets;
using System.Text;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>Failures that need no real engine: missing sockets, fake engines that break, TLS that does not verify.</summary>
[TestClass]
public sealed class ClientFailureTests
{
    private const string VersionJson = """{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}""";

    private static BuildRequest SimpleRequest(BuilderKind builder = BuilderKind.Classic) => new()
    {
        Context = new InMemoryContext(("Dockerfile", "FROM scratch\n")),
        Repository = "mstage-test/fake",
        Tags = ["1"],
        Builder = builder,
    };

    /// <summary>Answers /version and image inspection like an engine, and /build with <paramref name="build"/>.</summary>
    private static FakeHttpServer FakeEngine(Func<Stream, Task> build) => new(async (request, stream) =>
    {
        if (request.Path.EndsWith("/version", StringComparison.Ordinal))
        {
            await FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json", VersionJson);
            return true;
        }

        if (request.Path.Contains("/images/", StringComparison.Ordinal) && request.Method == "GET")
        {
            await FakeHttpServer.WriteAsync(stream, 404, "Not Found", "application/json", """{"message":"No such image"}""");
            return true;
        }

        if (request.Path.Contains("/build", StringComparison.Ordinal))
        {
            await build(stream);
            return false;
        }

        await FakeHttpServer.WriteAsync(stream, 404, "Not Found", "application/json", """{"message":"unexpected"}""");
        return true;
    });

    /// <summary>An engine whose build ends at once with <paramref name="message"/> as the build's error.</summary>
    private static FakeHttpServer FailingEngine(string message) => FakeEngine(stream =>
        FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json", System.Text.Json.JsonSerializer.Serialize(new { errorDetail = new { message } }) + "\r\n", close: true));

    private static EngineClient Connect(FakeHttpServer server, EngineTls? tls = null) =>
        EngineClient.Create(new EngineEndpoint(new Uri($"tcp://127.0.0.1:{server.Port}"), "the test", tls));

    [TestMethod]
    public async Task MissingSocketIsUnreachableAndNamesTheAddress()
    {
        using var home = new TempDirectory();
        var socket = Path.Combine(home.Path, "nothing-here.sock");
        using var client = EngineClient.Create(new EngineEndpoint(new Uri("unix://" + socket), "the test"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(SimpleRequest(), new TestLog()));
        Assert.AreEqual(EngineErrorCodes.EngineUnreachable, error.Code);
        StringAssert.Contains(error.Message, socket);
        StringAssert.Contains(error.Message, "DOCKER_HOST");
        // The system's text for a missing socket file ("Cannot assign requested address") points the wrong way.
        StringAssert.Contains(error.Message, $"no socket exists at {socket}");
        Assert.IsFalse(error.Message.Contains("assign requested address", StringComparison.OrdinalIgnoreCase), error.Message);
        Assert.IsFalse(error.Message.Contains("   at ", StringComparison.Ordinal), "no stack trace in the message");
    }

    [TestMethod]
    public async Task ASocketLeftBehindByAStoppedEngineSaysSo()
    {
        using var home = new TempDirectory();
        var socket = Path.Combine(home.Path, "stale.sock");
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET removes the file of a socket it closes; a crashed engine's stays, as this moved one does.
            var bound = Path.Combine(home.Path, "bound.sock");
            listener.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, socket);
        }

        Assert.IsTrue(File.Exists(socket));
        using var client = EngineClient.Create(new EngineEndpoint(new Uri("unix://" + socket), "the test"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.GetInfoAsync());
        Assert.AreEqual(EngineErrorCodes.EngineUnreachable, error.Code);
        StringAssert.Contains(error.Message, $"the socket {socket} exists but no engine answers on it");
    }

    [TestMethod]
    public async Task AFullDiskOnTheEngineIsReportedWithThePathAndWhatToFree()
    {
        const string engineError = "Error processing tar file(exit status 1): write /var/lib/docker/tmp/docker-builder1/big.bin: no space left on device";
        await using var server = FailingEngine(engineError);
        using var client = Connect(server);
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(SimpleRequest(), new TestLog()));
        // A cause of its own, not a generic build failure.
        Assert.AreEqual(EngineErrorCodes.BuildDiskFull, error.Code);
        StringAssert.Contains(error.Message, "/var/lib/docker/tmp/docker-builder1/big.bin");
        StringAssert.Contains(error.Message, "docker builder prune");
    }

    [TestMethod]
    public void AFullDiskRefusalOfTheEngineSaysWhatToFree()
    {
        var refusal = new Docker.DotNet.DockerApiException(System.Net.HttpStatusCode.InternalServerError, """{"message":"mkdir /var/lib/docker/tmp/x: no space left on device"}""");
        var error = EngineFailures.Api(refusal, "start the build");
        Assert.AreEqual(EngineErrorCodes.EngineApiError, error.Code);
        StringAssert.Contains(error.Message, "/var/lib/docker/tmp/x");
        StringAssert.Contains(error.Message, "docker builder prune");
    }

    [TestMethod]
    public async Task AFullDiskWhileTheContextIsMadeIsACodedErrorNamingThePath()
    {
        await using var server = FailingEngine("unexpected EOF");
        using var client = Connect(server);
        var request = SimpleRequest() with { Context = new FailingContext(new IOException("No space left on device : '/tmp/context-cache/app.tar'")) };
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.ContextUnreadable, error.Code, error.Message);
        StringAssert.Contains(error.Message, "/tmp/context-cache/app.tar");
        StringAssert.Contains(error.Message, "Free space on the disk");
        Assert.IsFalse(error.Message.Contains("   at ", StringComparison.Ordinal), "no stack trace in the message");
    }

    [TestMethod]
    public async Task ClosedTcpPortIsUnreachable()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = EngineClient.Create(new EngineEndpoint(new Uri($"tcp://127.0.0.1:{port}"), "the test"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.GetInfoAsync());
        Assert.AreEqual(EngineErrorCodes.EngineUnreachable, error.Code);
        StringAssert.Contains(error.Message, $"127.0.0.1:{port}");
    }

    [TestMethod]
    public async Task WarmUpMakesOnlyTheReadingRequestsABuildBeginsWith()
    {
        await using var server = FakeEngine(_ => throw new InvalidOperationException("a warm-up must not build"));
        using var client = Connect(server);
        var context = new InMemoryContext(("Dockerfile", "FROM scratch\n"));
        await client.WarmUpAsync(["r.example/app:multistage-deps-1", "r.example/runtime:10.0"], context);
        CollectionAssert.AreEqual(
            new[] { "GET /version", "GET /images/r.example/app:multistage-deps-1/json", "GET /images/r.example/runtime:10.0/json" },
            server.Requests.Select(r => r.Method + " " + System.Text.RegularExpressions.Regex.Replace(r.Path, "^/v[0-9.]+", "")).ToList());
    }

    [TestMethod]
    public async Task WarmUpPassesFailuresToItsCaller()
    {
        using var home = new TempDirectory();
        using var client = EngineClient.Create(new EngineEndpoint(new Uri("unix://" + Path.Combine(home.Path, "none.sock")), "the test"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.WarmUpAsync(["r.example/runtime:10.0"], null));
        Assert.AreEqual(EngineErrorCodes.EngineUnreachable, error.Code);
    }

    [TestMethod]
    public void SocketPermissionDeniedHasItsOwnCode()
    {
        var endpoint = new EngineEndpoint(new Uri("unix:///var/run/docker.sock"), "the default socket");
        var error = EngineFailures.Connection(new HttpRequestException("connect failed", new SocketException((int)SocketError.AccessDenied)), endpoint);
        Assert.AreEqual(EngineErrorCodes.SocketPermissionDenied, error?.Code);
        StringAssert.Contains(error!.Message, "/var/run/docker.sock");
        StringAssert.Contains(error.Message, "usermod -aG docker");
    }

    [TestMethod]
    public async Task StreamCutMidBuildIsConnectionLost()
    {
        await using var server = FakeEngine(async stream =>
        {
            await FakeHttpServer.StartChunkedAsync(stream, 200, "application/json");
            await FakeHttpServer.WriteChunkAsync(stream, "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n");
            // The engine process dies: the socket closes in the middle of a chunked body.
            await stream.WriteAsync(Encoding.ASCII.GetBytes("40\r\n{\"stream\":\"half"));
            await stream.FlushAsync();
        });
        using var client = Connect(server);
        var log = new TestLog();
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(SimpleRequest(), log));
        Assert.AreEqual(EngineErrorCodes.EngineConnectionLost, error.Code, error.Message);
        StringAssert.Contains(error.Message, $"127.0.0.1:{server.Port}");
        StringAssert.Contains(log.All, "Step 1/2 : FROM scratch");
    }

    [TestMethod]
    public async Task StreamEndingWithoutResultIsConnectionLost()
    {
        await using var server = FakeEngine(async stream =>
        {
            await FakeHttpServer.StartChunkedAsync(stream, 200, "application/json");
            await FakeHttpServer.WriteChunkAsync(stream, "{\"stream\":\"Step 1/1 : FROM scratch\\n\"}\r\n");
            await FakeHttpServer.EndChunkedAsync(stream);
        });
        using var client = Connect(server);
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(SimpleRequest(), new TestLog()));
        Assert.AreEqual(EngineErrorCodes.EngineConnectionLost, error.Code);
        StringAssert.Contains(error.Message, "without reporting a result");
    }

    [TestMethod]
    public async Task BuildSendsTheRequestedOptions()
    {
        await using var server = FailingEngine("stop here");
        using var client = Connect(server);
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("sub/Dockerfile", "FROM scratch\n")),
            DockerfilePath = "sub/Dockerfile",
            Repository = "registry.example:5000/team/app",
            Tags = ["1.0", "latest"],
            BuildArgs = new Dictionary<string, string> { ["A"] = "b c" },
            Labels = new Dictionary<string, string> { ["org.opencontainers.image.version"] = "1.0" },
            Platform = "linux/arm64",
            TargetStage = "final",
            NetworkMode = "host",
            NoCache = true,
            Pull = true,
            Builder = BuilderKind.BuildKit,
        };
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.BuildFailed, error.Code);

        var build = server.Requests.Single(r => r.Path.Contains("/build", StringComparison.Ordinal));
        var query = Uri.UnescapeDataString(build.Path);
        foreach (var expected in new[] { "version=2", "dockerfile=sub/Dockerfile", "t=registry.example:5000/team/app:1.0", "t=registry.example:5000/team/app:latest", "platform=linux/arm64", "target=final", "networkmode=host", "nocache=1", "pull=1", "forcerm=1" })
        {
            StringAssert.Contains(query, expected, StringComparison.OrdinalIgnoreCase, query);
        }

        StringAssert.Contains(query, "\"A\":\"b c\"");
        Assert.IsTrue(build.Body.Length >= 1024, "the context archive is the request body");
        Assert.AreEqual("sub/Dockerfile", new System.Formats.Tar.TarReader(new MemoryStream(build.Body)).GetNextEntry()?.Name);
    }

    [TestMethod]
    public async Task RegistryCredentialsGoWithTheBuildForBaseImages()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"private.example:5000":{"auth":"YnVpbGRlcjpiYXNlLXB3"}}}""");
        await using var server = FailingEngine("stop here");
        var environment = new Dictionary<string, string> { ["HOME"] = home.Path, [RegistryCredentialResolver.UserNameVariable] = "push-only", [RegistryCredentialResolver.PasswordVariable] = "push-only", [RegistryCredentialResolver.PasswordFileVariable] = home.Write("push-password", "push-only") };
        using var client = EngineClient.Create(new EngineEndpoint(new Uri($"tcp://127.0.0.1:{server.Port}"), "the test"), name => environment.TryGetValue(name, out var v) ? v : null);
        var log = new TestLog();
        await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(SimpleRequest(), log));

        var build = server.Requests.Single(r => r.Path.Contains("/build", StringComparison.Ordinal));
        var header = build.Headers["X-Registry-Config"].Replace('-', '+').Replace('_', '/');
        using var json = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(header));
        var entry = json.RootElement.GetProperty("private.example:5000");
        Assert.AreEqual("builder", entry.GetProperty("username").GetString());
        Assert.AreEqual("base-pw", entry.GetProperty("password").GetString(), "push credentials from the environment are not used for base images");
        Assert.IsFalse(log.All.Contains("base-pw", StringComparison.Ordinal));
        Assert.IsFalse(server.Requests.Any(r => r.Path.EndsWith("/version", StringComparison.Ordinal) && r.Headers.ContainsKey("X-Registry-Config")), "credentials go with the build request only");
    }

    [TestMethod]
    public async Task ContextThatCannotBeReadHasItsOwnCode()
    {
        await using var server = FailingEngine("unexpected EOF");
        using var client = Connect(server);
        var request = new BuildRequest
        {
            Context = new FailingContext(new Context.ContextFileException("/src/secret.key", "secret.key", new UnauthorizedAccessException("Access to the path is denied."))),
            Repository = "mstage-test/fake",
        };
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.ContextUnreadable, error.Code, error.Message);
        StringAssert.Contains(error.Message, "secret.key");
    }

    [TestMethod]
    public async Task EngineCertificateFromAnotherAuthorityIsATlsError()
    {
        using var home = new TempDirectory();
        var serverCertificate = FakeHttpServer.CreateCertificate("fake-engine");
        using var otherAuthority = FakeHttpServer.CreateCertificate("other-authority");
        var caFile = home.Write("ca.pem", otherAuthority.ExportCertificatePem());
        await using var server = new FakeHttpServer(
            async (_, stream) =>
            {
                await FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json", VersionJson);
                return true;
            },
            serverCertificate);
        using var client = Connect(server, new EngineTls(caFile, null, null, VerifyServer: true));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.GetInfoAsync());
        Assert.AreEqual(EngineErrorCodes.EngineTls, error.Code, error.Message);
        StringAssert.Contains(error.Message, "ca.pem");
    }

    [TestMethod]
    public async Task EngineCertificateFromTheGivenAuthorityIsAccepted()
    {
        using var home = new TempDirectory();
        var serverCertificate = FakeHttpServer.CreateCertificate("fake-engine");
        var caFile = home.Write("ca.pem", serverCertificate.ExportCertificatePem());
        await using var server = new FakeHttpServer(
            async (_, stream) =>
            {
                await FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json", VersionJson);
                return true;
            },
            serverCertificate);
        using var client = Connect(server, new EngineTls(caFile, null, null, VerifyServer: true));
        var info = await client.GetInfoAsync();
        Assert.AreEqual("1.41", info.ApiVersion);
        Assert.IsTrue(info.SupportsBuildKit);
    }

    [TestMethod]
    public void UnreadableCertificateFilesAreATlsError()
    {
        using var home = new TempDirectory();
        var cert = home.Write("cert.pem", "not a certificate");
        var key = home.Write("key.pem", "not a key");
        var error = Assert.ThrowsExactly<EngineException>(() => EngineClient.Create(new EngineEndpoint(new Uri("tcp://127.0.0.1:2376"), "the test", new EngineTls(null, cert, key, true))));
        Assert.AreEqual(EngineErrorCodes.EngineTls, error.Code);
    }

    [TestMethod]
    [DataRow("unauthorized: authentication required", EngineErrorCodes.RegistryUnauthorized)]
    [DataRow("no basic auth credentials", EngineErrorCodes.RegistryUnauthorized)]
    [DataRow("denied: requested access to the resource is denied", EngineErrorCodes.RegistryDenied)]
    [DataRow("received unexpected HTTP status: 500 Internal Server Error", EngineErrorCodes.RegistryServerError)]
    [DataRow("received unexpected HTTP status: 503 Service Unavailable", EngineErrorCodes.RegistryServerError)]
    [DataRow("Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    // Digits of a port are not a status code: these once read as 403, 401 and 500.
    [DataRow("Get \"http://r.example:40379/v2/\": dial tcp 127.0.0.1:40379: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("Get \"http://r.example:40179/v2/\": dial tcp 127.0.0.1:40179: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("Get \"http://r.example:50012/v2/\": dial tcp 127.0.0.1:50012: connect: connection refused", EngineErrorCodes.RegistryUnreachable)]
    [DataRow("unexpected status: 403 Forbidden", EngineErrorCodes.RegistryDenied)]
    [DataRow("unexpected status: 401 Unauthorized", EngineErrorCodes.RegistryUnauthorized)]
    [DataRow("Get \"https://r.example/v2/\": http: server gave HTTP response to HTTPS client", EngineErrorCodes.RegistryTls)]
    [DataRow("An image does not exist locally with the tag: r.example/app", EngineErrorCodes.PushImageNotFound)]
    [DataRow("something else entirely", EngineErrorCodes.PushFailed)]
    public void PushErrorsAreClassified(string engineMessage, string code)
    {
        var error = EngineClient.PushFailure(engineMessage, "r.example/app:1", "r.example");
        Assert.AreEqual(code, error.Code);
        StringAssert.Contains(error.Message, "r.example");
    }

    [TestMethod]
    public void BuilderChoiceFollowsTheEngineAndDockerBuildKit()
    {
        var modern = new EngineInfo("20.10.24", "1.41", "linux", "amd64");
        var old = new EngineInfo("18.06", "1.38", "linux", "amd64");
        var windows = new EngineInfo("20.10", "1.41", "windows", "amd64");
        var endpoint = new EngineEndpoint(new Uri("unix:///x.sock"), "the test");
        using var plain = EngineClient.Create(endpoint, _ => null);
        Assert.AreEqual(BuilderKind.BuildKit, plain.ChooseBuilder(BuilderKind.Auto, modern));
        Assert.AreEqual(BuilderKind.Classic, plain.ChooseBuilder(BuilderKind.Auto, old));
        Assert.AreEqual(BuilderKind.Classic, plain.ChooseBuilder(BuilderKind.Auto, windows));
        Assert.AreEqual(BuilderKind.Classic, plain.ChooseBuilder(BuilderKind.Classic, modern));
        using var off = EngineClient.Create(endpoint, name => name == "DOCKER_BUILDKIT" ? "0" : null);
        Assert.AreEqual(BuilderKind.Classic, off.ChooseBuilder(BuilderKind.Auto, modern));
        Assert.AreEqual(BuilderKind.BuildKit, off.ChooseBuilder(BuilderKind.BuildKit, modern));
    }

    [TestMethod]
    [DataRow("UPPER/app", null)]
    [DataRow("app", "bad tag!")]
    [DataRow("app", "-dash")]
    [DataRow("app:1", "2")]
    public async Task InvalidNamesAreRejectedBeforeAnythingIsSent(string repository, string? tag)
    {
        using var client = EngineClient.Create(new EngineEndpoint(new Uri("unix:///nonexistent.sock"), "the test"));
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", "FROM scratch\n")),
            Repository = repository,
            Tags = tag is null ? [] : [tag],
        };
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.InvalidRequest, error.Code);
    }
}
