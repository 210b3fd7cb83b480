using System.Net.Http;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// MultiStageCacheFrom / MultiStageCacheTo: what /build can import (cachefrom images) and export (inline cache only),
/// refused values named before anything is sent, and the inline cache in a pushed image.
/// </summary>
[TestClass]
public sealed class ClientBuildCacheTests
{
    [TestMethod]
    [DataRow("")]
    [DataRow(" ; ")]
    public void NoCacheFromIsNoImage(string value) => Assert.AreEqual(0, BuildCache.ParseCacheFrom(value).Count);

    [TestMethod]
    public void CacheFromIsASemicolonSeparatedListOfImages() =>
        CollectionAssert.AreEqual(new[] { "127.0.0.1:5000/orders/api:main", "orders/api:buildcache" }, BuildCache.ParseCacheFrom("127.0.0.1:5000/orders/api:main; orders/api:buildcache").ToArray());

    [TestMethod]
    [DataRow("type=registry,ref=r/app:cache")]
    [DataRow("Orders/Api")]
    [DataRow("a b")]
    public void CacheFromThatIsNoImageIsMSTAGE224(string value)
    {
        var error = Assert.ThrowsExactly<EngineException>(() => BuildCache.ParseCacheFrom(value));
        Assert.AreEqual("MSTAGE224", error.Code);
        StringAssert.Contains(error.Message, value);
    }

    [TestMethod]
    [DataRow("", false)]
    [DataRow("inline", true)]
    [DataRow("Inline", true)]
    [DataRow("type=inline", true)]
    public void CacheToIsInlineOrNothing(string value, bool inline) => Assert.AreEqual(inline, BuildCache.ParseCacheTo(value));

    [TestMethod]
    [DataRow("type=registry,ref=r/app:cache,mode=max")]
    [DataRow("type=local,dest=/tmp/cache")]
    public void ACacheExportTheEngineApiCannotMakeIsMSTAGE225(string value)
    {
        var error = Assert.ThrowsExactly<EngineException>(() => BuildCache.ParseCacheTo(value));
        Assert.AreEqual("MSTAGE225", error.Code);
        StringAssert.Contains(error.Message, "buildx");
    }

    [TestMethod]
    public async Task TheRequestCarriesCacheFromAsAJsonListAndTheInlineCacheArgument()
    {
        await using var server = new FakeHttpServer(async (request, stream) =>
        {
            if (request.Path.EndsWith("/version", StringComparison.Ordinal))
            {
                await FakeHttpServer.WriteAsync(stream, 200, "OK", "application/json", """{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}""");
                return true;
            }

            await FakeHttpServer.WriteAsync(stream, 500, "Internal Server Error", "application/json", """{"message":"refused on purpose"}""");
            return false;
        });
        using var client = EngineClient.Create(new EngineEndpoint(new Uri($"tcp://127.0.0.1:{server.Port}"), "the test"));
        var request = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", "FROM scratch\n")),
            Builder = BuilderKind.BuildKit,
            CacheFrom = ["r:5000/app:1", "r:5000/app:build"],
            InlineCache = true,
        };

        await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        var build = server.Requests.SingleOrDefault(r => r.Path.Contains("/build?", StringComparison.Ordinal));
        Assert.IsNotNull(build, string.Join("\n", server.Requests.Select(r => r.Method + " " + r.Path)));
        var query = Uri.UnescapeDataString(build.Path);
        // The engine parses cachefrom as one JSON array (api/server/router/build), not as repeated keys.
        StringAssert.Contains(query, "cachefrom=[\"r:5000/app:1\",\"r:5000/app:build\"]");
        StringAssert.Contains(query, "\"BUILDKIT_INLINE_CACHE\":\"1\"");
    }

    [TestMethod]
    [TestCategory("Engine")]
    public async Task AnInlineCacheImagePushedToTheRegistryCarriesTheCacheAndServesAsCacheFrom()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("cache");
        var dockerfile = $"FROM {EngineTestEnvironment.BaseImage}\nRUN echo {Guid.NewGuid():N} > /cached\n";
        var pushedRef = $"{EngineTestEnvironment.Registry}/{repository}:1";
        try
        {
            var first = await client.BuildAsync(
                new BuildRequest { Context = new InMemoryContext(("Dockerfile", dockerfile)), Repository = repository, Tags = ["1"], Builder = BuilderKind.BuildKit, NetworkMode = "host", InlineCache = true },
                new TestLog());
            await client.PushAsync(repository, ["1"], EngineTestEnvironment.Registry, null, new TestLog());

            // The inline cache is BuildKit's metadata in the image config, as a registry serves it.
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            var manifest = await http.GetStringAsync($"http://{EngineTestEnvironment.Registry}/v2/{repository}/manifests/1");
            var configDigest = System.Text.Json.JsonDocument.Parse(manifest).RootElement.GetProperty("config").GetProperty("digest").GetString();
            var config = await http.GetStringAsync($"http://{EngineTestEnvironment.Registry}/v2/{repository}/blobs/{configDigest}");
            StringAssert.Contains(config, "moby.buildkit.cache.v0");

            // The engine takes the pushed image, and one that does not exist, as cache sources, and the step is reused:
            // the layer holds the file with its first build's time. (The config differs: it carries no cache metadata.)
            var second = await client.BuildAsync(
                new BuildRequest
                {
                    Context = new InMemoryContext(("Dockerfile", dockerfile)), Repository = repository, Tags = ["2"], Builder = BuilderKind.BuildKit, NetworkMode = "host",
                    CacheFrom = [pushedRef, $"{EngineTestEnvironment.Registry}/{repository}:never-pushed"],
                },
                new TestLog());
            using var docker = EngineTestEnvironment.Raw();
            var layersOf = async (string id) => (await docker.Images.InspectImageAsync(id)).RootFS?.Layers?.ToList() ?? [];
            CollectionAssert.AreEqual(await layersOf(first.ImageId), await layersOf(second.ImageId));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1", $"{repository}:2", pushedRef);
        }
    }
}
