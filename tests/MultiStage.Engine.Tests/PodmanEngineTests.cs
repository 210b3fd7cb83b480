using Docker.DotNet.Models;
using MultiStage.Engine.Client;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The engine client against a real Podman 4.3 (its Docker-compatible API, eng/testenv/podman.sh): what the engine is,
/// Buildah's progress and errors, intermediate images, pushes with the digest from Podman's status line.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class PodmanEngineTests
{
    /// <summary>Two stages as the generated Dockerfile has them: a build stage whose output the final stage copies.</summary>
    private static string TwoStageDockerfile(string marker) => $"""
        FROM {PodmanTestEnvironment.BaseImage} AS build
        ARG TARGETARCH
        RUN mkdir /out && echo "{marker} $TARGETARCH" > /out/marker.txt && echo built-the-marker
        FROM {PodmanTestEnvironment.BaseImage}
        COPY --from=build /out/marker.txt /marker.txt
        CMD ["cat", "/marker.txt"]

        """;

    [TestMethod]
    public async Task TheEngineIsPodmanAndBuildsWithBuildah()
    {
        using var client = await PodmanTestEnvironment.ConnectAsync();
        var info = await client.GetInfoAsync();
        Assert.IsTrue(info.IsPodman, "the engine names a Podman Engine component");
        StringAssert.StartsWith(info.PodmanVersion, "4.");
        Assert.IsFalse(info.SupportsBuildKit, $"Podman reports API {info.ApiVersion} but has no BuildKit");
        Assert.AreEqual(BuilderKind.Buildah, await client.ResolveBuilderAsync(BuilderKind.Auto));
    }

    [TestMethod]
    public async Task BuildsRunsPushesTwoTagsAndPullsBackByDigestLeavingNoIntermediateImage()
    {
        using var client = await PodmanTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("podman");
        var target = $"{EngineTestEnvironment.Registry}/{repository}";
        var before = await PodmanTestEnvironment.AllImageIdsAsync();
        var log = new TestLog();
        BuildResult? built = null;
        try
        {
            built = await client.BuildAsync(
                new BuildRequest
                {
                    Context = new InMemoryContext(("Dockerfile", TwoStageDockerfile(repository))),
                    Repository = repository,
                    Tags = ["1", "2"],
                    NetworkMode = "host",
                },
                log);

            Assert.AreEqual(BuilderKind.Buildah, built.Builder);
            StringAssert.Contains(log.All, "with Buildah (Podman 4.");
            // Buildah's progress at normal verbosity, the steps' output at detailed only.
            var normal = log.Lines(Verbosity.Normal).ToList();
            CollectionAssert.Contains(normal, $"[1/2] STEP 1/3: FROM {PodmanTestEnvironment.BaseImage} AS build");
            Assert.IsTrue(normal.Any(l => l.StartsWith("[2/2] STEP 2/3: COPY --from=build", StringComparison.Ordinal)), string.Join("\n", normal));
            Assert.IsTrue(normal.Any(l => l.StartsWith("[2/2] COMMIT", StringComparison.Ordinal)), string.Join("\n", normal));
            Assert.IsFalse(normal.Contains("  built-the-marker"));
            CollectionAssert.Contains(log.Lines(Verbosity.Detailed).ToList(), "  built-the-marker");
            StringAssert.Contains(log.SummaryLines.Single(), $"tagged {repository}:1, {repository}:2");

            // No build-stage image stays behind: among the images new in the engine, none but the tagged one comes from
            // this build (its build stage's RUN names the unique repository). Other tests may add images meanwhile.
            var after = await PodmanTestEnvironment.AllImageIdsAsync();
            CollectionAssert.Contains(after.ToList(), built.ImageId);
            using (var history = PodmanTestEnvironment.Raw())
            {
                var leftBehind = new List<string>();
                foreach (var id in after.Except(before).Where(id => id != built.ImageId))
                {
                    var steps = await history.Images.GetImageHistoryAsync(id);
                    if (steps.Any(s => s.CreatedBy?.Contains(repository, StringComparison.Ordinal) == true))
                    {
                        leftBehind.Add(id);
                    }
                }

                CollectionAssert.AreEqual(Array.Empty<string>(), leftBehind, "images the build left behind");
            }

            // The image runs, with the target architecture the build stage was given.
            using var docker = PodmanTestEnvironment.Raw();
            var container = await docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = $"{repository}:1", HostConfig = new HostConfig { NetworkMode = "host" } });
            try
            {
                await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters());
                var exit = await docker.Containers.WaitContainerAsync(container.ID);
                Assert.AreEqual(0L, exit.StatusCode);
                using var logs = await docker.Containers.GetContainerLogsAsync(container.ID, new ContainerLogsParameters { ShowStdout = true });
                var (stdout, _) = await logs.ReadOutputToEndAsync(CancellationToken.None);
                Assert.AreEqual($"{repository} amd64", stdout.Trim());
            }
            finally
            {
                await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
            }

            // Both tags go to the registry; the digest comes from Podman's status line.
            var pushLog = new TestLog();
            var pushed = await client.PushAsync(repository, ["1", "2"], EngineTestEnvironment.Registry, null, pushLog);
            CollectionAssert.AreEqual(new[] { $"{target}:1", $"{target}:2" }, pushed.Tags.Select(t => t.Reference).ToArray());
            StringAssert.StartsWith(pushed.Tags[0].Digest, "sha256:");
            Assert.AreEqual(pushed.Tags[0].Digest, pushed.Tags[1].Digest, "both tags name the same manifest");
            Assert.AreEqual(pushed.Tags[0].Digest, await RegistryDigestAsync(repository, "2"), "the registry has the second tag too");

            // Pulled back by digest after every local name is gone, it is the same image.
            await PodmanTestEnvironment.RemoveAsync($"{target}:1", $"{target}:2", $"{repository}:1", $"{repository}:2");
            await docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = $"{target}@{pushed.Tags[0].Digest}" }, null, new Progress<JSONMessage>());
            var pulled = await docker.Images.InspectImageAsync($"{target}@{pushed.Tags[0].Digest}");
            Assert.AreEqual(built.ImageId, pulled.ID);
        }
        finally
        {
            await PodmanTestEnvironment.RemoveAsync($"{target}:1", $"{target}:2", $"{repository}:1", $"{repository}:2", built?.ImageId ?? repository);
        }
    }

    [TestMethod]
    public async Task ACompileErrorInTheBuildStageNamesTheSourceLine()
    {
        using var client = await PodmanTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("podman-cs");
        var before = await PodmanTestEnvironment.AllImageIdsAsync();
        var dockerfile = $"""
            FROM {PodmanTestEnvironment.SdkImage} AS build
            WORKDIR /src
            COPY ["App.csproj", "Program.cs", "./"]
            RUN dotnet build App.csproj -nologo -p:UseAppHost=false
            FROM {PodmanTestEnvironment.BaseImage}
            COPY --from=build /src/bin /app

            """;
        const string project = """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""";
        const string program = "using System;\n\nclass Program\n{\n    static void Main()\n    {\n        Console.WriteLine(\"hi\")\n    }\n}\n";
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(
            new BuildRequest
            {
                Context = new InMemoryContext(("Dockerfile", dockerfile), ("App.csproj", project), ("Program.cs", program)),
                Repository = repository,
                Tags = ["1"],
                NetworkMode = "host",
            },
            new TestLog()));

        Assert.AreEqual(EngineErrorCodes.BuildStageErrors, error.Code, error.Message);
        var compile = error.Diagnostics.Single(d => d.Code == "CS1002");
        Assert.AreEqual(("/src/Program.cs", 7, 32), (compile.File, compile.Line, compile.Column));
        Assert.AreEqual(1, error.ExitCode);
        StringAssert.StartsWith(error.Step, "[1/2] STEP 4/4: RUN dotnet build");
        // A failed build leaves no untagged images behind either.
        var after = await PodmanTestEnvironment.AllImageIdsAsync();
        Assert.AreEqual(0, after.Except(before).Count(), "images the failed build left behind");
    }

    private static async Task<string?> RegistryDigestAsync(string repository, string tag)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{EngineTestEnvironment.Registry}/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await http.SendAsync(request);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
    }
}
