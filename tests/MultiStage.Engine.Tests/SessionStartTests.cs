using MultiStage.Engine.Client;
using MultiStage.Engine.Session;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class SessionStartTests
{
    private static readonly Dictionary<string, byte[]> OneSecret = new() { ["nuget-credentials"] = "x"u8.ToArray() };

    [TestMethod]
    public async Task NoSecretsNoSession()
    {
        var unreachable = new EngineEndpoint(new Uri("tcp://127.0.0.1:1"), "test");

        Assert.IsNull(await BuildSession.StartAsync(unreachable, BuilderKind.BuildKit, new Dictionary<string, byte[]>(), CancellationToken.None));
    }

    [TestMethod]
    public async Task EngineThatRefusesTheSessionGivesItsAnswer()
    {
        await using var engine = new FakeHttpServer(async (request, stream) =>
        {
            await FakeHttpServer.WriteAsync(stream, 404, "Not Found", "text/plain", "page not found");
            return false;
        });
        var endpoint = new EngineEndpoint(new Uri($"tcp://127.0.0.1:{engine.Port}"), "test");

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => BuildSession.StartAsync(endpoint, BuilderKind.BuildKit, OneSecret, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.SessionFailed, error.Code, error.Message);
        StringAssert.Contains(error.Message, "404 Not Found");
        var request = engine.Requests.Single();
        Assert.AreEqual("POST", request.Method);
        StringAssert.EndsWith(request.Path, "/session");
    }

    [TestMethod]
    public async Task UnreachableEngineIsReportedAsSuch()
    {
        var endpoint = new EngineEndpoint(new Uri("tcp://127.0.0.1:1"), "test");

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => BuildSession.StartAsync(endpoint, BuilderKind.BuildKit, OneSecret, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.EngineUnreachable, error.Code, error.Message);
    }

    [TestMethod]
    public async Task ClassicBuilderCannotTakeSecretsAndNothingIsSent()
    {
        await using var engine = new FakeHttpServer((_, _) => Task.FromResult(false));
        var endpoint = new EngineEndpoint(new Uri($"tcp://127.0.0.1:{engine.Port}"), "test");

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => BuildSession.StartAsync(endpoint, BuilderKind.Classic, OneSecret, CancellationToken.None));

        Assert.AreEqual(EngineErrorCodes.SecretsNeedBuildKit, error.Code);
        StringAssert.Contains(error.Message, "DOCKER_BUILDKIT=1 docker build --secret id=nuget-credentials,src=<file>");
        Assert.AreEqual(0, engine.Requests.Count);
    }
}
