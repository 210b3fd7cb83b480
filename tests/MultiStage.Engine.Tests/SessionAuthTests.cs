using Google.Protobuf;
using MultiStage.Engine.Client;
using MultiStage.Engine.Session;
using MultiStage.Engine.Session.Protocol;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The session's answer to BuildKit's <c>Auth/Credentials</c>: what the docker CLI's auth provider answers from the
/// same docker configuration (moby/buildkit session/auth/authprovider).
/// </summary>
[TestClass]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SessionAuthTests
{
    [TestMethod]
    public async Task RegistryOfTheConfigurationGetsItsUserAndPassword()
    {
        using var home = new TempDirectory();
        // "user:s3cret"
        home.Write(".docker/config.json", """{"auths":{"127.0.0.1:5099":{"auth":"dXNlcjpzM2NyZXQ="}}}""");
        var log = new TestLog();

        var answer = await AskAsync(home, "127.0.0.1:5099", log);

        Assert.AreEqual("user", answer.Username);
        Assert.AreEqual("s3cret", answer.Secret);
        Assert.IsFalse(log.All.Contains("s3cret", StringComparison.Ordinal), log.All);
        StringAssert.Contains(log.All, "127.0.0.1:5099");
    }

    [TestMethod]
    public async Task DockerHubIsAskedForByItsRegistryHostAndFoundUnderTheIndexKey()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"https://index.docker.io/v1/":{"auth":"aHViOmh1YnB3"}}}""");

        var answer = await AskAsync(home, "registry-1.docker.io", new TestLog());

        Assert.AreEqual("hub", answer.Username);
        Assert.AreEqual("hubpw", answer.Secret);
    }

    [TestMethod]
    public async Task IdentityTokenIsTheSecretWithoutUserName()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"reg.example":{"auth":"PHRva2VuPjo=","identitytoken":"refresh-token"}}}""");

        var answer = await AskAsync(home, "reg.example", new TestLog());

        Assert.AreEqual(string.Empty, answer.Username);
        Assert.AreEqual("refresh-token", answer.Secret);
    }

    [TestMethod]
    public async Task UnknownRegistryIsAnsweredEmptySoTheBuilderPullsAnonymously()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"auths":{"other.example":{"auth":"dXNlcjpwdw=="}}}""");

        var answer = await AskAsync(home, "reg.example", new TestLog());

        Assert.AreEqual(new CredentialsResponse(), answer);
    }

    [TestMethod]
    public async Task BrokenHelperIsAWarningAndAnAnonymousAnswer()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", """{"credHelpers":{"reg.example":"missing-helper"}}""");
        var log = new TestLog();

        var answer = await AskAsync(home, "reg.example", log);
        await AskAsync(home, "reg.example", log);

        Assert.AreEqual(new CredentialsResponse(), answer);
        var warning = log.Entries.Single(e => e.Kind == "warning");
        Assert.AreEqual(EngineErrorCodes.SessionCredentialsUnavailable, warning.Code);
        StringAssert.Contains(warning.Message, "reg.example");
    }

    private static async Task<CredentialsResponse> AskAsync(TempDirectory home, string host, TestLog log)
    {
        var resolver = new RegistryCredentialResolver(name => name == "PATH" ? "/nonexistent" : null, home.Path);
        var service = Services.GetOrAdd((home.Path, log), _ => new AuthService(resolver, log));
        var reply = await service.CredentialsAsync(new CredentialsRequest { Host = host }.ToByteArray(), CancellationToken.None);
        Assert.AreEqual(GrpcStatus.Ok, reply.Status, reply.StatusMessage);
        return CredentialsResponse.Parser.ParseFrom(reply.Message);
    }

    // One service per home and log: a build's session asks again for each pull, and reports once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, TestLog), AuthService> Services = new();
}
