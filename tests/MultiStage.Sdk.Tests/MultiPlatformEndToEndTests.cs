using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// ContainerRuntimeIdentifiers through the Engine API: one build per platform on the amd64 engine (no emulation), each
/// pushed, and an index of them stored under the tags, read back here over the registry's HTTP API.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class MultiPlatformEndToEndTests
{
    private const string ListType = "application/vnd.docker.distribution.manifest.list.v2+json";
    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    [TestMethod]
    public async Task TwoRuntimeIdentifiersPushAnIndexWhoseAmd64ImageRunsHere()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/multiarch-{Run}";
        var registry = TestEnvironment.ImageRegistry;
        var result = ProcessRunner.Run(
            "dotnet",
            [
                "build", "-t:ContainerizeMultiStage", "-nologo", "-v:n",
                $"-p:MultiStageBaseImageRegistry={registry}",
                "-p:MultiStageBuildImage=true",
                "-p:MultiStageBuildNetwork=host",
                $"-p:ContainerRepository={repository}",
                $"-p:ContainerImageTags=1.0.{Run}%3Blatest",
                $"-p:ContainerRegistry={registry}",
                "-p:ContainerRuntimeIdentifiers=linux-x64%3Blinux-arm64",
            ],
            dir,
            null,
            TimeSpan.FromMinutes(20)).EnsureSuccess();
        Assert.IsFalse(result.Output.Contains("MSTAGE153", StringComparison.Ordinal), result.Output);
        StringAssert.Contains(result.Output, $"Building {repository}:1.0.{Run}-arm64 for linux/arm64/v8");

        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry}/v2/{repository}/") };
        try
        {
            // The index, under both tags, names one manifest per platform with the image-index platform fields.
            var (listType, list) = await GetAsync(http, "manifests/latest", ListType, ManifestType);
            Assert.AreEqual(ListType, listType, list.ToString());
            var (_, versioned) = await GetAsync(http, $"manifests/1.0.{Run}", ListType);
            Assert.AreEqual(list.ToString(), versioned.ToString());
            var manifests = list.GetProperty("manifests").EnumerateArray().ToList();
            Assert.AreEqual(2, manifests.Count, list.ToString());
            var amd64 = manifests.Single(m => m.GetProperty("platform").GetProperty("architecture").GetString() == "amd64");
            var arm64 = manifests.Single(m => m.GetProperty("platform").GetProperty("architecture").GetString() == "arm64");
            Assert.AreEqual("linux", amd64.GetProperty("platform").GetProperty("os").GetString());
            Assert.IsFalse(amd64.GetProperty("platform").TryGetProperty("variant", out _));
            Assert.AreEqual("linux", arm64.GetProperty("platform").GetProperty("os").GetString());
            Assert.AreEqual("v8", arm64.GetProperty("platform").GetProperty("variant").GetString());

            // The arm64 manifest: its config says arm64, and its last layer (the app's own assemblies) holds the dll.
            var (armType, armManifest) = await GetAsync(http, $"manifests/{arm64.GetProperty("digest").GetString()}", ManifestType);
            Assert.AreEqual(arm64.GetProperty("mediaType").GetString(), armType);
            var config = JsonDocument.Parse(await http.GetByteArrayAsync($"blobs/{armManifest.GetProperty("config").GetProperty("digest").GetString()}")).RootElement;
            Assert.AreEqual("arm64", config.GetProperty("architecture").GetString());
            Assert.AreEqual("linux", config.GetProperty("os").GetString());
            var appLayer = armManifest.GetProperty("layers").EnumerateArray().Last().GetProperty("digest").GetString();
            var files = await LayerFilesAsync(http, appLayer!);
            CollectionAssert.Contains(files, "app/ConsoleApp.dll", string.Join(", ", files));

            // The amd64 config says amd64: the two are different images, not one image listed twice.
            var (_, amdManifest) = await GetAsync(http, $"manifests/{amd64.GetProperty("digest").GetString()}", ManifestType);
            var amdConfig = JsonDocument.Parse(await http.GetByteArrayAsync($"blobs/{amdManifest.GetProperty("config").GetProperty("digest").GetString()}")).RootElement;
            Assert.AreEqual("amd64", amdConfig.GetProperty("architecture").GetString());

            // Locally, the requested tags name the engine's own platform, which runs here; so does a pull of the index.
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:latest").EnsureSuccess().Output, "console-app: hello [] uid=1654");
            var pushed = $"{registry}/{repository}:1.0.{Run}";
            DockerCli.Run("rmi", "-f", pushed);
            DockerCli.Run("pull", pushed).EnsureSuccess();
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", pushed).EnsureSuccess().Output, "console-app: hello [] uid=1654");
        }
        finally
        {
            DockerCli.Run(
                "rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}", $"{repository}:1.0.{Run}-amd64", $"{repository}:1.0.{Run}-arm64",
                $"{registry}/{repository}:1.0.{Run}", $"{registry}/{repository}:1.0.{Run}-amd64", $"{registry}/{repository}:1.0.{Run}-arm64");
        }
    }

    private static async Task<(string? MediaType, JsonElement Document)> GetAsync(HttpClient http, string path, params string[] accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var type in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return (response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(body).RootElement.Clone());
    }

    private static async Task<List<string>> LayerFilesAsync(HttpClient http, string digest)
    {
        await using var blob = await http.GetStreamAsync($"blobs/{digest}");
        await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var files = new List<string>();
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            files.Add(entry.Name.TrimStart('.', '/'));
        }

        return files;
    }
}
