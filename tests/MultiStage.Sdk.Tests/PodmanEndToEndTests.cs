using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// ContainerizeMultiStage on Podman (eng/testenv/podman.sh), found through LocalRegistry=Podman: the packed SDK builds
/// with Buildah, pushes two tags to the local registry, and the Docker engine pulls the image back by digest and runs
/// it. Fails, never skips, when the Podman socket is missing.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class PodmanEndToEndTests
{
    private const string RuntimeDirectory = "/run/multistage-testenv";
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);

    [ClassInitialize]
    public static void RequirePodman(TestContext context)
    {
        DockerCli.RequireEngine();
        var socket = Path.Combine(RuntimeDirectory, "podman", "podman.sock");
        if (!File.Exists(socket))
        {
            var up = ProcessRunner.Run("bash", [Path.Combine(TestEnvironment.RepositoryRoot, "eng", "testenv", "podman.sh")], timeout: TimeSpan.FromMinutes(20));
            if (up.ExitCode != 0 || !File.Exists(socket))
            {
                Assert.Fail($"The Podman engine's socket {socket} is missing, even after eng/testenv/podman.sh:\n{up.Output}");
            }
        }
    }

    /// <summary>
    /// Podman's rootless socket is $XDG_RUNTIME_DIR/podman/podman.sock: the test engine's run directory stands in for
    /// it, so discovery, not an address, finds the engine. DOCKER_HOST would win over LocalRegistry: it is unset.
    /// </summary>
    private static readonly Dictionary<string, string?> PodmanEnvironment = new()
    {
        ["XDG_RUNTIME_DIR"] = RuntimeDirectory,
        ["DOCKER_HOST"] = null,
        ["DOCKER_CONTEXT"] = null,
    };

    private static ProcessResult Containerize(string dir, string repository, params string[] extra) =>
        ProcessRunner.Run(
            "dotnet",
            new[]
            {
                "build", "-t:ContainerizeMultiStage", "-nologo", "-v:n", "-tl:off",
                $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
                "-p:MultiStageBuildImage=true",
                "-p:LocalRegistry=Podman",
                "-p:MultiStageBuildNetwork=host",
                $"-p:ContainerRepository={repository}",
                $"-p:ContainerImageTags=1.0.{Run}%3Blatest",
            }.Concat(extra),
            dir,
            PodmanEnvironment,
            TimeSpan.FromMinutes(20));

    [TestMethod]
    public void BuildsWithBuildahPushesTwoTagsAndDockerPullsItBackByDigest()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/podman-console-{Run}";
        var pushed = $"{TestEnvironment.ImageRegistry}/{repository}";
        var result = Containerize(dir, repository, $"-p:ContainerRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();

        StringAssert.Contains(result.Output, "with Buildah (Podman 4.");
        StringAssert.Contains(result.Output, "unix:///run/multistage-testenv/podman/podman.sock");
        // Buildah's steps at -v:n (it shows FROM with the --platform flag resolved away).
        StringAssert.Matches(result.Output, new Regex(@"\[1/2\] STEP 1/\d+: FROM " + Regex.Escape(TestEnvironment.ImageRegistry) + "/dotnet/sdk:10.0 AS build"));
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "FROM --platform=$BUILDPLATFORM", "Buildah builds the committed (BuildKit) Dockerfile");
        StringAssert.Matches(result.Output, new Regex(@"\[2/2\] COMMIT "));
        StringAssert.Matches(result.Output, new Regex($@"Built image [0-9a-f]{{12}} tagged {Regex.Escape(repository)}:1\.0\.{Run}, {Regex.Escape(repository)}:latest"));
        // Both tags reach the registry, each with the digest Podman reported in its status line.
        var digests = Regex.Matches(result.Output, $@"Pushed {Regex.Escape(pushed)}:(1\.0\.{Run}|latest) \((sha256:[0-9a-f]{{64}})\)");
        Assert.AreEqual(2, digests.Count, result.Output);
        Assert.AreEqual(digests[0].Groups[2].Value, digests[1].Groups[2].Value);
        Assert.IsFalse(result.Output.Contains("MSTAGE", StringComparison.Ordinal), result.Output);

        // Another engine pulls it by digest and runs it.
        var reference = $"{pushed}@{digests[0].Groups[2].Value}";
        try
        {
            DockerCli.Run("pull", reference).EnsureSuccess();
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", reference, "podman").EnsureSuccess().Output, "console-app: hello [podman] uid=1654");
        }
        finally
        {
            DockerCli.Run("rmi", "-f", reference);
            RemoveFromPodman($"{repository}:1.0.{Run}", $"{repository}:latest", $"{pushed}:1.0.{Run}", $"{pushed}:latest");
        }
    }

    [TestMethod]
    public void ACompileErrorFailsWithTheCompilerLine()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var program = Path.Combine(dir, "Program.cs");
        File.WriteAllText(program, File.ReadAllText(program).Replace("uid={ProcessUser.Uid()}\");", "uid={ProcessUser.Uid()}\")", StringComparison.Ordinal));
        var repository = $"e2e/podman-broken-{Run}";
        var result = Containerize(dir, repository);

        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, "with Buildah");
        // At the host path of the file, as on Docker.
        StringAssert.Matches(result.Output, new Regex(Regex.Escape(program) + @"\(\d+,\d+\): error CS1002: ; expected"));
        Assert.IsFalse(result.Output.Contains("/src/Program.cs", StringComparison.Ordinal), "no build-stage path:\n" + result.Output);
        StringAssert.Matches(result.Output, new Regex(@"error MSTAGE233: The build stage failed: 1 compiler error"));
        Assert.IsFalse(result.Output.Contains("   at ", StringComparison.Ordinal), "no stack trace");
    }

    private static void RemoveFromPodman(params string[] references)
    {
        foreach (var reference in references)
        {
            ProcessRunner.Run("curl", ["-s", "-o", "/dev/null", "--unix-socket", Path.Combine(RuntimeDirectory, "podman", "podman.sock"), "-X", "DELETE", $"http://d/v1.41/images/{reference}"], timeout: TimeSpan.FromSeconds(60));
        }
    }
}
