using System.Text;
using MultiStage.Engine.Client;
using MultiStage.Engine.Registry;
using MultiStage.Inference;

namespace MultiStage.Engine.Tests;

/// <summary>The Distribution API client of the image index, against fake registries on 127.0.0.1.</summary>
[TestClass]
public sealed class RegistryClientTests
{
    private const string ManifestDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly byte[] Index = ImageIndex.Create(
    [
        (new ManifestDescriptor(ImageIndex.DockerManifestMediaType, ManifestDigest, 525), Platform("linux-x64")),
    ]);

    private static ContainerPlatform Platform(string rid) => ContainerPlatform.FromRuntimeIdentifier(rid, out _)!;

    /// <summary>
    /// A registry behind a token service on the same port, as Docker Hub and most hosted registries are: without
    /// "Bearer good-token" every /v2/ request gets 401 and the challenge; /token gives that token only for user:secret.
    /// </summary>
    private static FakeHttpServer BearerRegistry(Func<int> port, int tokenStatus = 200, string tokenBody = """{"token":"good-token"}""") => new(async (request, stream) =>
    {
        if (request.Path.StartsWith("/token", StringComparison.Ordinal))
        {
            var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:secret"));
            if (!request.Headers.TryGetValue("Authorization", out var given) || given != basic)
            {
                await FakeHttpServer.WriteAsync(stream, 401, "Unauthorized", "application/json", """{"details":"incorrect username or password"}""");
                return true;
            }

            await FakeHttpServer.WriteAsync(stream, tokenStatus, tokenStatus == 200 ? "OK" : "Failed", "application/json", tokenBody);
            return true;
        }

        if (!request.Headers.TryGetValue("Authorization", out var authorization) || authorization != "Bearer good-token")
        {
            await FakeHttpServer.WriteAsync(stream, 401, "Unauthorized", "application/json", """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", headOnly: request.Method == "HEAD", headers:
                ("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{port()}/token\",service=\"fake-registry\",scope=\"repository:team/app:pull\""));
            return true;
        }

        return await ServeManifestsAsync(request, stream);
    });

    /// <summary>HEAD of the platform manifest; PUT of an index answers with the digest of what was sent.</summary>
    private static async Task<bool> ServeManifestsAsync(FakeRequest request, Stream stream)
    {
        if (request.Method == "HEAD" && request.Path == $"/v2/team/app/manifests/{ManifestDigest}")
        {
            await FakeHttpServer.WriteAsync(stream, 200, "OK", ImageIndex.DockerManifestMediaType, new string('x', 525), headOnly: true, headers: ("Docker-Content-Digest", ManifestDigest));
            return true;
        }

        if (request.Method == "PUT" && request.Path == "/v2/team/app/manifests/1.0")
        {
            await FakeHttpServer.WriteAsync(stream, 201, "Created", "text/plain", "", headers: ("Docker-Content-Digest", ImageIndex.Digest(request.Body)));
            return true;
        }

        await FakeHttpServer.WriteAsync(stream, 404, "Not Found", "application/json", """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""", headOnly: request.Method == "HEAD");
        return true;
    }

    private static RegistryClient Client(FakeHttpServer server, RegistryCredentials? credentials) =>
        new($"127.0.0.1:{server.Port}", new Uri($"http://127.0.0.1:{server.Port}/"), credentials);

    [TestMethod]
    public async Task BearerChallengeIsAnsweredWithATokenForPullAndPush()
    {
        FakeHttpServer? server = null;
        await using var registry = server = BearerRegistry(() => server!.Port);
        using var client = Client(registry, new RegistryCredentials("user", "secret"));

        var manifest = await client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None);
        var digest = await client.PutManifestAsync("team/app", "1.0", ImageIndex.DockerManifestListMediaType, Index, CancellationToken.None);

        Assert.AreEqual(new ManifestDescriptor(ImageIndex.DockerManifestMediaType, ManifestDigest, 525), manifest);
        Assert.AreEqual(ImageIndex.Digest(Index), digest);
        var token = registry.Requests.Single(r => r.Path.StartsWith("/token", StringComparison.Ordinal));
        // A push asks for pull and push whatever the read challenge named; the token serves the PUT without a new challenge.
        Assert.AreEqual("/token?service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull%2Cpush", token.Path);
        var put = registry.Requests.Single(r => r.Method == "PUT");
        Assert.AreEqual("Bearer good-token", put.Headers["Authorization"]);
        Assert.AreEqual(ImageIndex.DockerManifestListMediaType, put.Headers["Content-Type"]);
        CollectionAssert.AreEqual(Index, put.Body);
        Assert.AreEqual(1, registry.Requests.Count(r => r.Path.StartsWith("/token", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task TokenServiceRefusingTheCredentialsIsMstage300WithoutTheSecret()
    {
        FakeHttpServer? server = null;
        await using var registry = server = BearerRegistry(() => server!.Port);
        using var client = Client(registry, new RegistryCredentials("user", "wrong-secret"));

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.RegistryUnauthorized, ex.Code);
        StringAssert.Contains(ex.Message, "docker login");
        Assert.IsFalse(ex.Message.Contains("wrong-secret", StringComparison.Ordinal), ex.Message);
    }

    [TestMethod]
    [DataRow(500, """{"errors":[{"code":"UNAVAILABLE","message":"token backend down"}]}""", "UNAVAILABLE token backend down")]
    [DataRow(200, """{"expires_in":60}""", "without a token")]
    [DataRow(200, "<html>", "without a token")]
    public async Task TokenServiceFailureIsMstage247(int status, string body, string expected)
    {
        FakeHttpServer? server = null;
        await using var registry = server = BearerRegistry(() => server!.Port, status, body);
        using var client = Client(registry, new RegistryCredentials("user", "secret"));

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.RegistryTokenFailed, ex.Code);
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public async Task AccessTokenOfOAuthTokenServicesIsAccepted()
    {
        FakeHttpServer? server = null;
        await using var registry = server = BearerRegistry(() => server!.Port, 200, """{"access_token":"good-token"}""");
        using var client = Client(registry, new RegistryCredentials("user", "secret"));

        var manifest = await client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None);

        Assert.AreEqual(ManifestDigest, manifest.Digest);
    }

    [TestMethod]
    public async Task AnonymousRegistryGetsNoAuthorization()
    {
        await using var registry = new FakeHttpServer(ServeManifestsAsync);
        using var client = Client(registry, new RegistryCredentials("user", "secret"));

        await client.PutManifestAsync("team/app", "1.0", ImageIndex.DockerManifestListMediaType, Index, CancellationToken.None);

        Assert.IsFalse(registry.Requests.Any(r => r.Headers.ContainsKey("Authorization")));
    }

    [TestMethod]
    public async Task BasicChallengeIsAnsweredWithTheCredentials()
    {
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:secret"));
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            if (!request.Headers.TryGetValue("Authorization", out var given) || given != basic)
            {
                await FakeHttpServer.WriteAsync(stream, 401, "Unauthorized", "text/plain", "", headers: ("WWW-Authenticate", "Basic realm=\"Registry Realm\""));
                return true;
            }

            return await ServeManifestsAsync(request, stream);
        });
        using var client = Client(registry, new RegistryCredentials("user", "secret"));

        await client.PutManifestAsync("team/app", "1.0", ImageIndex.DockerManifestListMediaType, Index, CancellationToken.None);

        // Anonymous first, as the registry's challenge asks; then the credentials.
        var puts = registry.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.AreEqual(2, puts.Count);
        Assert.IsFalse(puts[0].Headers.ContainsKey("Authorization"));
        Assert.AreEqual(basic, puts[1].Headers["Authorization"]);
    }

    [TestMethod]
    public async Task ChallengeWithoutCredentialsIsMstage300()
    {
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            await FakeHttpServer.WriteAsync(stream, 401, "Unauthorized", "text/plain", "", headers: ("WWW-Authenticate", "Basic realm=\"Registry Realm\""));
            return true;
        });
        using var client = Client(registry, null);

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.RegistryUnauthorized, ex.Code);
        StringAssert.Contains(ex.Message, "no credentials were found");
    }

    [TestMethod]
    [DataRow(400, """{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}""", "MSTAGE246", "MANIFEST_INVALID manifest invalid")]
    [DataRow(415, "", "MSTAGE246", "415")]
    [DataRow(403, """{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}""", "MSTAGE301", "DENIED")]
    [DataRow(503, "", "MSTAGE302", "503")]
    public async Task RefusedIndexIsCodedWithTheRegistrysReason(int status, string body, string code, string expected)
    {
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            await FakeHttpServer.WriteAsync(stream, status, "Refused", "application/json", body);
            return true;
        });
        using var client = Client(registry, null);

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PutManifestAsync("team/app", "1.0", ImageIndex.DockerManifestListMediaType, Index, CancellationToken.None));

        Assert.AreEqual(code, ex.Code);
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public async Task IndexStoredUnderAnotherDigestIsMstage246()
    {
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            await FakeHttpServer.WriteAsync(stream, 201, "Created", "text/plain", "", headers: ("Docker-Content-Digest", ManifestDigest));
            return true;
        });
        using var client = Client(registry, null);

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PutManifestAsync("team/app", "1.0", ImageIndex.DockerManifestListMediaType, Index, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.ImageIndexRefused, ex.Code);
    }

    [TestMethod]
    public async Task RegistryThatIsNotListeningIsMstage303()
    {
        int port;
        await using (var closed = new FakeHttpServer((_, _) => Task.FromResult(false)))
        {
            port = closed.Port;
        }

        using var client = new RegistryClient($"127.0.0.1:{port}", new Uri($"http://127.0.0.1:{port}/"), null);

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.HeadManifestAsync("team/app", "1.0", CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.RegistryUnreachable, ex.Code);
    }

    [TestMethod]
    public async Task PlainHttpRegistryAskedForTlsIsMstage308()
    {
        await using var registry = new FakeHttpServer(ServeManifestsAsync);
        using var client = new RegistryClient($"127.0.0.1:{registry.Port}", new Uri($"https://127.0.0.1:{registry.Port}/"), null);

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.HeadManifestAsync("team/app", ManifestDigest, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.RegistryTls, ex.Code);
        StringAssert.Contains(ex.Message, "insecure-registries");
    }

    [TestMethod]
    [DataRow("Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull\"", "Bearer", "https://auth.example/token", "registry.example")]
    [DataRow("bearer realm=https://auth.example/token, service=reg", "bearer", "https://auth.example/token", "reg")]
    [DataRow("Bearer realm=\"https://auth.example/t?x=\\\"1\\\"\"", "Bearer", "https://auth.example/t?x=\"1\"", null)]
    public void ChallengeParametersAreRead(string header, string scheme, string realm, string? service)
    {
        var challenge = RegistryChallenge.Parse(header)!;

        Assert.AreEqual(scheme, challenge.Scheme);
        Assert.IsTrue(challenge.IsBearer);
        Assert.AreEqual(realm, challenge["realm"]);
        Assert.AreEqual(service, challenge["service"]);
    }

    [TestMethod]
    [DataRow("127.0.0.1:5000", true)]
    [DataRow("localhost:5000", true)]
    [DataRow("10.1.2.3:5000", false)]
    [DataRow("mirror.internal:5000", true)]
    [DataRow("[::1]:5000", false)]
    public void InsecureRegistriesAreDecidedAsTheEngineDecides(string registry, bool insecure)
    {
        Assert.AreEqual(insecure, InsecureRegistries.IsInsecure(registry, ["mirror.internal:5000"], ["127.0.0.0/8"]));
    }
}
