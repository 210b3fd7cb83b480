using System.Net.Http.Headers;
using System.Text.Json;
using MultiStage.Engine.Client;
using MultiStage.Engine.Registry;
using MultiStage.Inference;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// BuildPlatformsAsync on the real engine with a one-file image per platform (FROM scratch, COPY of TARGETARCH's file):
/// the platform a build ran for is read back from the image itself.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineMultiPlatformTests
{
    private static readonly IReadOnlyList<ContainerPlatform> AmdAndArm = ContainerPlatform.FromRuntimeIdentifiers(["linux-x64", "linux-arm64"], out _)!;

    private static BuildRequest Request(string repository) => new()
    {
        // Each platform's image holds the file of its own TARGETARCH: proof of which platform each build ran for.
        Context = new InMemoryContext(
            ("Dockerfile", "FROM scratch\nARG TARGETARCH\nCOPY ${TARGETARCH}.txt /arch.txt\n"),
            ("amd64.txt", "amd64\n"),
            ("arm64.txt", "arm64\n")),
        Repository = repository,
        Tags = ["1", "2"],
        Builder = BuilderKind.BuildKit,
    };

    [TestMethod]
    public async Task WithoutARegistryEachPlatformStaysLocalAndTheEnginesOwnGetsTheTags()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("multiplatform-local");
        var log = new TestLog();
        try
        {
            var result = await client.BuildPlatformsAsync(Request(repository), AmdAndArm, null, log);

            Assert.AreEqual(EngineErrorCodes.MultiPlatformNotPushed, log.Entries.Single(e => e.Kind == "warning").Code, log.All);
            CollectionAssert.AreEqual(new[] { $"{repository}:1", $"{repository}:2" }, result.LocalReferences.ToArray());
            Assert.AreEqual(result.Images[0].ImageId, result.LocalImageId, "the engine is amd64");
            Assert.AreEqual(result.LocalImageId, await EngineTestEnvironment.ImageIdAsync($"{repository}:2"));
            using var docker = EngineTestEnvironment.Raw();
            var arm = await docker.Images.InspectImageAsync($"{repository}:1-arm64");
            Assert.AreEqual("arm64", arm.Architecture);
            Assert.AreEqual("arm64\n", await EngineTestEnvironment.ReadFileAsync($"{repository}:1-arm64", "/arch.txt"));
            Assert.AreEqual("amd64\n", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/arch.txt"));
            Assert.AreEqual(0, result.PushedIndexes.Count);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1", $"{repository}:2", $"{repository}:1-amd64", $"{repository}:1-arm64");
        }
    }

    /// <summary>127.0.0.1:5000 is plain HTTP and in the engine's insecure range: the index goes there over HTTP.</summary>
    [TestMethod]
    public async Task WithARegistryAnIndexIsStoredUnderEveryTag()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("multiplatform-push");
        var registry = EngineTestEnvironment.Registry;
        var log = new TestLog();
        try
        {
            var result = await client.BuildPlatformsAsync(Request(repository), AmdAndArm, registry, log);

            Assert.IsFalse(log.Entries.Any(e => e.Kind == "warning"), log.All);
            Assert.AreEqual(2, result.PushedIndexes.Count);
            using var http = new HttpClient { BaseAddress = new Uri($"http://{registry}/v2/{repository}/") };
            foreach (var tag in new[] { "1", "2" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"manifests/{tag}");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ImageIndex.DockerManifestListMediaType));
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.AreEqual(ImageIndex.DockerManifestListMediaType, response.Content.Headers.ContentType?.MediaType);
                StringAssert.EndsWith(result.PushedIndexes.Single(p => p.StartsWith($"{registry}/{repository}:{tag}@", StringComparison.Ordinal)), ImageIndex.Digest(body));
                var manifests = JsonDocument.Parse(body).RootElement.GetProperty("manifests").EnumerateArray().ToList();
                CollectionAssert.AreEqual(
                    new[] { "linux/amd64/", "linux/arm64/v8" },
                    manifests.Select(m => m.GetProperty("platform")).Select(p => $"{p.GetProperty("os").GetString()}/{p.GetProperty("architecture").GetString()}/{(p.TryGetProperty("variant", out var v) ? v.GetString() : "")}").ToArray());
                CollectionAssert.AreEqual(result.Images.Select(i => i.Pushed!.Digest).ToArray(), manifests.Select(m => m.GetProperty("digest").GetString()).ToArray());
            }
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync(
                $"{repository}:1", $"{repository}:2", $"{repository}:1-amd64", $"{repository}:1-arm64",
                $"{registry}/{repository}:1-amd64", $"{registry}/{repository}:1-arm64");
        }
    }

    [TestMethod]
    public async Task TheClassicBuilderIsMstage248()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();

        var ex = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildPlatformsAsync(
            Request(EngineTestEnvironment.UniqueRepository("multiplatform-classic")) with { Builder = BuilderKind.Classic }, AmdAndArm, null, new TestLog()));

        Assert.AreEqual(EngineErrorCodes.MultiPlatformNeedsBuildKit, ex.Code);
    }
}
