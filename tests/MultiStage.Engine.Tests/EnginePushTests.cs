using Docker.DotNet.Models;
using MultiStage.Engine.Client;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

[TestClass]
[TestCategory("Engine")]
public sealed class EnginePushTests
{
    /// <summary>Builds a one-layer image unique to the test, so that its digest is new to the registry.</summary>
    private static async Task<(string Repository, BuildResult Result)> BuildUniqueAsync(EngineClient client, string name)
    {
        var repository = EngineTestEnvironment.UniqueRepository(name);
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", "FROM scratch\nCOPY id.txt /id.txt\n"), ("id.txt", repository)),
            Repository = repository,
            Tags = ["1", "2"],
            Builder = BuilderKind.BuildKit,
        };
        return (repository, await client.BuildAsync(request, new TestLog()));
    }

    /// <summary>
    /// A registry stand-in on the loopback: its version check answers 200 (401 when <paramref name="status"/> is 401,
    /// as a registry asking for a login does), every other request <paramref name="status"/>.
    /// </summary>
    private static FakeHttpServer Registry(int status, string reason, string contentType, string body) => new(async (request, stream) =>
    {
        var headOnly = request.Method == "HEAD";
        if (request.Path == "/v2/" && status != 401)
        {
            await FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json; charset=utf-8", "{}", headOnly: headOnly, headers: ("Docker-Distribution-API-Version", "registry/2.0"));
            return true;
        }

        (string, string)[] headers = status == 401
            ? [("WWW-Authenticate", "Basic realm=\"test\""), ("Docker-Distribution-API-Version", "registry/2.0")]
            : [("Docker-Distribution-API-Version", "registry/2.0")];
        await FakeHttpServer.WriteAsync(stream, status, reason, contentType, body, headOnly: headOnly, headers: headers);
        return true;
    });

    // Docker 20.10 retries for about a minute when the message is the stock "requested access to the resource is
    // denied" (and on 5xx), so the stand-in uses messages of its own where it can.
    private static string RegistryError(string code, string message) => $$"""{"errors":[{"code":"{{code}}","message":"{{message}}","detail":null}]}""";

    [TestMethod]
    public async Task PushesToTheRegistryAndPullsBackByDigest()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var (repository, built) = await BuildUniqueAsync(client, "push");
        var target = $"{EngineTestEnvironment.Registry}/{repository}";
        var log = new TestLog();
        try
        {
            var pushed = await client.PushAsync(repository, ["1", "2"], EngineTestEnvironment.Registry, null, log);

            Assert.AreEqual(target, pushed.Repository);
            CollectionAssert.AreEqual(new[] { $"{target}:1", $"{target}:2" }, pushed.Tags.Select(t => t.Reference).ToArray());
            StringAssert.StartsWith(pushed.Tags[0].Digest, "sha256:");
            Assert.AreEqual(pushed.Tags[0].Digest, pushed.Tags[1].Digest, "both tags name the same manifest");
            Assert.IsTrue(pushed.Tags[0].Size > 0);
            Assert.AreEqual(2, log.Lines(Verbosity.Minimal).Count(l => l.StartsWith($"Pushed {target}:", StringComparison.Ordinal)));

            // Remove every local name of the image, then pull it back by digest.
            await EngineTestEnvironment.RemoveAsync($"{target}:1", $"{target}:2", $"{repository}:1", $"{repository}:2");
            Assert.IsNull(await EngineTestEnvironment.ImageIdAsync(built.ImageId));
            using var docker = EngineTestEnvironment.Raw();
            await docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = $"{target}@{pushed.Tags[0].Digest}" }, null, new Progress<JSONMessage>());
            Assert.AreEqual(built.ImageId, await EngineTestEnvironment.ImageIdAsync($"{target}@{pushed.Tags[0].Digest}"));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{target}@{built.ImageId}", $"{target}:1", $"{target}:2", $"{repository}:1", $"{repository}:2", built.ImageId);
        }
    }

    [TestMethod]
    public async Task RegistryAnswering401IsAnAuthenticationError()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var (repository, built) = await BuildUniqueAsync(client, "auth");
        await using var registry = Registry(401, "Unauthorized", "application/json; charset=utf-8", RegistryError("UNAUTHORIZED", "login needed for this test registry"));
        var host = $"127.0.0.1:{registry.Port}";
        try
        {
            var anonymous = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], host, null, new TestLog()));
            Assert.AreEqual(EngineErrorCodes.RegistryUnauthorized, anonymous.Code, anonymous.Message);
            StringAssert.Contains(anonymous.Message, host);
            StringAssert.Contains(anonymous.Message, "docker login");

            var log = new TestLog();
            var wrong = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], host, new RegistryCredentials("someone", "s3cr3t-password"), log));
            Assert.AreEqual(EngineErrorCodes.RegistryUnauthorized, wrong.Code, wrong.Message);
            Assert.IsFalse(wrong.Message.Contains("s3cr3t-password", StringComparison.Ordinal));
            Assert.IsFalse(log.All.Contains("s3cr3t-password", StringComparison.Ordinal), "credentials never reach the log");
            Assert.IsTrue(registry.Requests.Any(r => r.Headers.TryGetValue("Authorization", out var auth) && auth.StartsWith("Basic ", StringComparison.Ordinal)), "the engine offered the given credentials");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{host}/{repository}:1", $"{repository}:1", $"{repository}:2", built.ImageId);
        }
    }

    [TestMethod]
    public async Task RegistryDenyingAccessIsADeniedError()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var (repository, built) = await BuildUniqueAsync(client, "denied");
        await using var registry = Registry(403, "Forbidden", "application/json; charset=utf-8", RegistryError("DENIED", "pushes to this repository are not allowed"));
        var host = $"127.0.0.1:{registry.Port}";
        try
        {
            var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], host, new RegistryCredentials("u", "p"), new TestLog()));
            Assert.AreEqual(EngineErrorCodes.RegistryDenied, error.Code, error.Message);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{host}/{repository}:1", $"{repository}:1", $"{repository}:2", built.ImageId);
        }
    }

    [TestMethod]
    public async Task RegistryServerErrorIsNotAnAuthenticationError()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var (repository, built) = await BuildUniqueAsync(client, "5xx");
        await using var registry = Registry(500, "Internal Server Error", "text/plain", "storage is on fire");
        var host = $"127.0.0.1:{registry.Port}";
        try
        {
            var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], host, null, new TestLog()));
            Assert.AreEqual(EngineErrorCodes.RegistryServerError, error.Code, error.Message);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{host}/{repository}:1", $"{repository}:1", $"{repository}:2", built.ImageId);
        }
    }

    [TestMethod]
    public async Task RegistryThatIsDownIsUnreachable()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var (repository, built) = await BuildUniqueAsync(client, "down");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var host = $"127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        try
        {
            var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], host, null, new TestLog()));
            Assert.AreEqual(EngineErrorCodes.RegistryUnreachable, error.Code, error.Message);
            StringAssert.Contains(error.Message, host);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{host}/{repository}:1", $"{repository}:1", $"{repository}:2", built.ImageId);
        }
    }

    [TestMethod]
    public async Task PushingAnImageThatDoesNotExistSaysSo()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("absent");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.PushAsync(repository, ["1"], EngineTestEnvironment.Registry, null, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.PushImageNotFound, error.Code, error.Message);
        StringAssert.Contains(error.Message, $"{repository}:1");
    }
}
