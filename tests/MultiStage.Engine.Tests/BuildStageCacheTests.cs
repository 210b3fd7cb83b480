using MultiStage.Engine.Client;
using MultiStage.Generation;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>MultiStageBuildStageCache: when the build stage's cache is made, its reference, and the request that makes it.</summary>
[TestClass]
public sealed class BuildStageCacheTests
{
    private static BuildRequest Image(bool inlineCache = true, string? target = null) => new()
    {
        Context = new InMemoryContext(("Dockerfile", "FROM scratch\n")),
        Repository = "orders/api",
        Tags = ["1.2.3", "main"],
        InlineCache = inlineCache,
        TargetStage = target,
        CacheFrom = ["127.0.0.1:5000/orders/api:1.2.3", "127.0.0.1:5000/orders/api:main"],
        NoCache = true,
        Pull = true,
    };

    private static BuildStageCache? For(bool enabled = true, string tag = "", BuildRequest? image = null, string registry = "127.0.0.1:5000", int platforms = 1) =>
        BuildStageCache.For(enabled, tag, image ?? Image(), registry, platforms, out _);

    [TestMethod]
    public void WithTheInlineCacheAndARegistryTheCacheIsTheRepositorysBuildcacheTag()
    {
        var cache = For();
        Assert.IsNotNull(cache);
        Assert.AreEqual("buildcache", cache.Tag);
        Assert.AreEqual("127.0.0.1:5000/orders/api:buildcache", cache.Reference);
    }

    [TestMethod]
    public void TheTagCanBeChanged() => Assert.AreEqual("127.0.0.1:5000/orders/api:stage-cache", For(tag: " stage-cache ")!.Reference);

    [TestMethod]
    public void NoCacheWhenSwitchedOffWithoutInlineCacheOrWithoutRegistry()
    {
        Assert.IsNull(For(enabled: false));
        Assert.IsNull(For(image: Image(inlineCache: false)));
        Assert.IsNull(For(registry: ""));
        Assert.IsNull(For(image: Image() with { Repository = null, Tags = [] }), "an untagged image has no repository to push to");
    }

    [TestMethod]
    public void NotApplyingSaysNothing()
    {
        BuildStageCache.For(false, "", Image(), "127.0.0.1:5000", 1, out var skipped);
        Assert.IsNull(skipped);
    }

    [TestMethod]
    public void SeveralPlatformsOrAnotherTargetStageSkipTheCacheAndSayWhy()
    {
        Assert.IsNull(BuildStageCache.For(true, "", Image(), "127.0.0.1:5000", 2, out var platforms));
        StringAssert.Contains(platforms, "multi-platform");
        Assert.IsNull(BuildStageCache.For(true, "", Image(target: "final"), "127.0.0.1:5000", 1, out var target));
        StringAssert.Contains(target, "MultiStageBuildTarget (final)");
    }

    [TestMethod]
    public void ACacheTagThatIsAnImageTagIsMSTAGE250()
    {
        var error = Assert.ThrowsExactly<EngineException>(() => For(tag: "main"));
        Assert.AreEqual("MSTAGE250", error.Code);
        StringAssert.Contains(error.Message, "MultiStageBuildStageCacheTag");
    }

    [TestMethod]
    [DataRow("build cache")]
    [DataRow(".cache")]
    public void ACacheTagThatIsNoTagIsMSTAGE251(string tag)
    {
        var error = Assert.ThrowsExactly<EngineException>(() => For(tag: tag));
        Assert.AreEqual("MSTAGE251", error.Code);
        StringAssert.Contains(error.Message, tag);
    }

    [TestMethod]
    public void TheCacheJoinsTheCacheSourcesLastAndOnce()
    {
        var cache = For()!;
        var sources = cache.AddTo(Image().CacheFrom);
        CollectionAssert.AreEqual(new[] { "127.0.0.1:5000/orders/api:1.2.3", "127.0.0.1:5000/orders/api:main", cache.Reference }, sources.ToArray());
        CollectionAssert.AreEqual(sources.ToArray(), cache.AddTo(sources).ToArray());
        CollectionAssert.AreEqual(new[] { cache.Reference }, cache.AddTo([]).ToArray());
    }

    [TestMethod]
    public void TheCacheBuildStopsAtTheGeneratedBuildStageWithTheInlineCacheFromTheLocalCache()
    {
        var image = Image() with { CacheFrom = For()!.AddTo(Image().CacheFrom) };
        var request = For()!.Request(image);
        Assert.AreEqual(BuildStage.Name, request.TargetStage);
        CollectionAssert.AreEqual(new[] { "buildcache" }, request.Tags.ToArray());
        Assert.AreEqual("orders/api", request.Repository);
        Assert.IsTrue(request.InlineCache);
        Assert.IsFalse(request.NoCache, "the image build has just filled the local cache");
        Assert.IsFalse(request.Pull, "the base images were just pulled");
        CollectionAssert.AreEqual(image.CacheFrom.ToArray(), request.CacheFrom.ToArray());
    }

    [TestMethod]
    public void OnlyBuildKitMakesTheCache()
    {
        Assert.IsNull(BuildStageCache.Unsupported(BuilderKind.BuildKit));
        StringAssert.Contains(BuildStageCache.Unsupported(BuilderKind.Buildah), "Buildah");
        StringAssert.Contains(BuildStageCache.Unsupported(BuilderKind.Classic), "classic builder");
    }

    [TestMethod]
    [TestCategory("Engine")]
    public async Task TheCacheIsPushedFromTheLocalCacheWithOneLineAndNoLocalTagLeft()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("stagecache");
        var dockerfile = $"FROM {EngineTestEnvironment.BaseImage} AS {BuildStage.Name}\nRUN echo {Guid.NewGuid():N} > /restored\n"
            + $"FROM {EngineTestEnvironment.BaseImage}\nCOPY --from={BuildStage.Name} /restored /restored\n";
        var image = new BuildRequest
        {
            Context = new InMemoryContext(("Dockerfile", dockerfile)), Repository = repository, Tags = ["main"], Builder = BuilderKind.BuildKit, NetworkMode = "host", InlineCache = true,
        };
        var cache = BuildStageCache.For(true, "", image, EngineTestEnvironment.Registry, 1, out _)!;
        try
        {
            await client.BuildAsync(image with { CacheFrom = cache.AddTo([]) }, new TestLog());
            var log = new TestLog();
            var pushed = await client.PushBuildStageCacheAsync(cache, image with { CacheFrom = cache.AddTo([]) }, EngineTestEnvironment.Registry, log);

            Assert.AreEqual(cache.Reference, pushed.Reference);
            var shown = log.Entries.Where(e => e.Kind != "info" || e.Verbosity != Verbosity.Detailed).ToList();
            Assert.AreEqual(1, shown.Count, log.All);
            Assert.AreEqual(Verbosity.Normal, shown[0].Verbosity);
            StringAssert.StartsWith(shown[0].Message, $"Pushed the build stage's cache {cache.Reference} (");
            StringAssert.Contains(log.All, "CACHED", "the build stage came from the local cache");
            Assert.IsNull(await client.FindImageAsync($"{repository}:{cache.Tag}"));
            Assert.IsNull(await client.FindImageAsync(cache.Reference));

            using var http = new System.Net.Http.HttpClient();
            http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            var manifest = await http.GetStringAsync($"http://{EngineTestEnvironment.Registry}/v2/{repository}/manifests/{cache.Tag}");
            var config = System.Text.Json.JsonDocument.Parse(manifest).RootElement.GetProperty("config").GetProperty("digest").GetString();
            StringAssert.Contains(await http.GetStringAsync($"http://{EngineTestEnvironment.Registry}/v2/{repository}/blobs/{config}"), "moby.buildkit.cache.v0");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:main");
        }
    }
}
