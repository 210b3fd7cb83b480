using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// MultiStageBuildStageCache: an image build with the inline cache pushes the build stage under a cache tag, and a fresh
/// runner (a second engine with an empty build cache) takes the restore step from it after a source edit.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class BuildStageCacheEndToEndTests
{
    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    private static ProcessResult CiBuild(string dir, string repository, params string[] extra) =>
        ProcessRunner.Run("dotnet", new[]
        {
            "build", "-t:ContainerizeMultiStage", "-nologo", "-v:n", "-nodeReuse:false",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true",
            "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}",
            "-p:ContainerImageTags=main",
            $"-p:ContainerRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageCacheTo=inline",
        }.Concat(extra), dir, null, TimeSpan.FromMinutes(20));

    // BuildKit's inline cache import misses a step now and then in multi-stage builds (moby/buildkit#2279, open): once
    // in the clean-clone runs here, the fresh runner ran restore again. A new repository and a new engine per attempt.
    [TestMethod]
    [Retry(3)]
    public void AFreshRunnerTakesTheRestoreStepFromTheBuildStageCache()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = "e2e/buildcache-" + Guid.NewGuid().ToString("N")[..8];
        var cache = $"{TestEnvironment.ImageRegistry}/{repository}:buildcache";
        try
        {
            // The previous commit's CI run, on the shared engine: the image and the build stage's cache are pushed.
            var first = CiBuild(dir, repository).EnsureSuccess();
            StringAssert.Matches(first.Output, new Regex($@"Pushed the build stage's cache {Regex.Escape(cache)} \([0-9.]+ [kMG]?B with the SDK image's layers\): built in [0-9.]+s, pushed in [0-9.]+s"));
            Assert.AreNotEqual(0, DockerCli.Run("image", "inspect", cache).ExitCode, "no local tag is left for the cache");
            Assert.AreNotEqual(0, DockerCli.Run("image", "inspect", $"{repository}:buildcache").ExitCode, "no local tag is left for the cache");

            // The next commit on a fresh runner: nothing of the first build is in its engine, only in the registry.
            File.AppendAllText(Path.Combine(dir, "Program.cs"), "\n// edited\n");
            using var runner = FreshEngine.Start();
            var fresh = CiBuild(dir, repository, $"-p:MultiStageDockerHost={runner.Host}").EnsureSuccess();
            // MSBuild indents the engine client's step lines.
            var steps = string.Join("\n", fresh.Output.Split('\n').Select(l => l.Trim()));
            StringAssert.Contains(steps, $"importing cache manifest from {cache}");
            Assert.IsTrue(DockerCli.StepWasCached(steps, "dotnet restore"), "the restore step came from the registry:\n" + ProcessResult.Tail(fresh.Output, 80));
            Assert.IsFalse(DockerCli.StepWasCached(steps, "dotnet publish"), "the edit is compiled");
            StringAssert.Contains(runner.Docker("run", "--rm", "--network", "none", $"{repository}:main").EnsureSuccess().Output, "console-app: hello [] uid=1654");
        }
        finally
        {
            DockerCli.Run("rmi", $"{repository}:main", $"{TestEnvironment.ImageRegistry}/{repository}:main");
        }
    }
}
