using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// Advice by cause with the real test engine (Docker 20.10 started with --bridge=none): the causes this machine can
/// produce. Disk full and platform mismatches cannot be produced here; ClientFailureCauseTests covers them from the
/// engines' texts.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineFailureCauseTests
{
    [TestMethod]
    public async Task ARunStepOnAnEngineWithoutABridgeAdvisesTheHostNetwork()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(
            new BuildRequest
            {
                Context = new InMemoryContext(("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nRUN echo needs-a-network\n")),
                Builder = BuilderKind.BuildKit,
                NoCache = true,
            },
            new TestLog()));

        Assert.AreEqual(EngineErrorCodes.BuildNetworkUnavailable, error.Code, error.Message);
        StringAssert.Contains(error.Message, "network bridge not found");
        StringAssert.Contains(error.Message, "MultiStageBuildNetwork=host");
    }

    [TestMethod]
    public async Task ABaseImageBehindALoginIsAnAuthenticationFailure()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        // A registry on the loopback (insecure for the engine by default) that asks every request for a login.
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            await FakeHttpServer.WriteAsync(
                stream,
                401,
                "Unauthorized",
                "application/json",
                """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}""",
                headOnly: request.Method == "HEAD",
                headers: [("WWW-Authenticate", "Basic realm=\"test\""), ("Docker-Distribution-API-Version", "registry/2.0")]);
            return true;
        });
        foreach (var builder in new[] { BuilderKind.BuildKit, BuilderKind.Classic })
        {
            var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(
                new BuildRequest
                {
                    Context = new InMemoryContext(("Dockerfile", $"FROM 127.0.0.1:{registry.Port}/private/base:1\nRUN true\n")),
                    Builder = builder,
                    NetworkMode = "host",
                },
                new TestLog()));

            Assert.AreEqual(EngineErrorCodes.BaseImageUnauthorized, error.Code, $"{builder}: {error.Message}");
            StringAssert.Contains(error.Message, "login");
        }
    }
}
