using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// ContainerizeMultiStage taking the generated Dockerfile all the way to an image through the Docker Engine API
/// (no docker CLI involved), on BuildKit and on the classic builder, then pushing to the local registry.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineApiEndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    private static ProcessResult BuildThroughApi(string dir, string repository, IDictionary<string, string?>? environment, params string[] extra)
    {
        var args = new[]
        {
            "build", "-t:ContainerizeMultiStage", "-nologo", "-v:n",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true",
            // No bridge network on the test engine: RUN steps use the host's.
            "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}",
            $"-p:ContainerImageTags=1.0.{Run}%3Blatest",
        }.Concat(extra);
        return ProcessRunner.Run("dotnet", args, dir, environment, TimeSpan.FromMinutes(20));
    }

    [TestMethod]
    public void BuildKitBuildTagsPushesAndPullsBackByDigest()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/api-console-{Run}";
        const string revision = "0123456789abcdef0123456789abcdef01234567";
        var result = BuildThroughApi(dir, repository, null, $"-p:ContainerRegistry={TestEnvironment.ImageRegistry}",
            "-p:PublishRepositoryUrl=true", $"-p:SourceRevisionId={revision}").EnsureSuccess();
        StringAssert.Contains(result.Output, "with BuildKit");
        // The revision reaches the image label through a build argument; the Dockerfile does not carry the commit.
        var dockerfileText = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(dockerfileText, "\"org.opencontainers.image.revision\"=\"${SOURCE_REVISION}\"");
        Assert.IsFalse(dockerfileText.Contains(revision, StringComparison.Ordinal));
        Assert.AreEqual(revision, DockerCli.Inspect($"{repository}:latest").GetProperty("Config").GetProperty("Labels").GetProperty("org.opencontainers.image.revision").GetString());
        StringAssert.Matches(result.Output, new Regex($@"Built image [0-9a-f]{{12}} tagged {Regex.Escape(repository)}:1\.0\.{Run}, {Regex.Escape(repository)}:latest, [0-9.]+ [kMG]?B, in [0-9.]+s"));
        Assert.IsFalse(result.Output.Contains("   at "), "no stack trace");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "FROM --platform=$BUILDPLATFORM");

        var output = DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:latest", "api").EnsureSuccess().Output;
        StringAssert.Contains(output, "console-app: hello [api] uid=1654");

        // Pushed to the registry: pull it back by digest after removing every local copy.
        var pushed = $"{TestEnvironment.ImageRegistry}/{repository}";
        var digest = DockerCli.Inspect($"{pushed}:1.0.{Run}").GetProperty("RepoDigests").EnumerateArray()
            .Select(d => d.GetString()!).Single(d => d.StartsWith(pushed + "@", StringComparison.Ordinal));
        DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}", $"{pushed}:latest", $"{pushed}:1.0.{Run}").EnsureSuccess();
        DockerCli.Run("pull", digest).EnsureSuccess();
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", digest).EnsureSuccess().Output, "console-app: hello [] uid=1654");
        DockerCli.Run("rmi", "-f", digest);
    }

    [TestMethod]
    public void ABaseImageTheEngineLacksIsPulledByBuildKitThroughTheSession()
    {
        // Only in the registry, not in the engine: BuildKit pulls it itself, asking the build's session for the
        // registry's credentials, so the engine client pulls nothing first.
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/api-pull-{Run}";
        var baseImage = $"{TestEnvironment.ImageRegistry}/e2e/runtime-copy-{Run}:10.0";
        DockerCli.Run("tag", $"{TestEnvironment.ImageRegistry}/dotnet/runtime:10.0", baseImage).EnsureSuccess();
        DockerCli.Run("push", baseImage).EnsureSuccess();
        DockerCli.Run("rmi", baseImage).EnsureSuccess();
        try
        {
            var result = BuildThroughApi(dir, repository, null, $"-p:ContainerBaseImage={baseImage}").EnsureSuccess();
            Assert.IsFalse(result.Output.Contains("Pulling base image", StringComparison.Ordinal), result.Output);
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:latest").EnsureSuccess().Output, "console-app: hello [] uid=1654");
        }
        finally
        {
            DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}", baseImage);
        }
    }

    /// <summary>
    /// A base image that exists only in the local engine, under a name without a registry (Docker Hub's, which this
    /// machine cannot reach): the engine client does not pull it and the build takes it from the engine's store.
    /// </summary>
    [TestMethod]
    public void ALocalOnlyBaseImageBuildsWithoutARegistry()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/api-local-base-{Run}";
        var baseImage = $"multistage-local/runtime-{Run}:1";
        DockerCli.Run("tag", $"{TestEnvironment.ImageRegistry}/dotnet/runtime:10.0-noble-chiseled-extra", baseImage).EnsureSuccess();
        try
        {
            var result = BuildThroughApi(dir, repository, null, $"-p:ContainerBaseImage={baseImage}").EnsureSuccess();
            Assert.IsFalse(result.Output.Contains("Pulling base image " + baseImage, StringComparison.Ordinal), result.Output);
            var labels = DockerCli.Inspect($"{repository}:latest").GetProperty("Config").GetProperty("Labels");
            Assert.AreEqual(baseImage, labels.GetProperty("org.opencontainers.image.base.name").GetString());
            StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:latest").EnsureSuccess().Output, "console-app: hello [] uid=1654");
        }
        finally
        {
            DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}", baseImage);
        }
    }

    [TestMethod]
    public void APushPasswordFromAFileIsInNeitherTheDiagnosticOutputNorTheBinaryLog()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var repository = $"e2e/api-password-{Run}";
        const string user = "password-file-user";
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var passwordFile = Path.Combine(TestEnvironment.WorkDirectory, $"registry-password-{Run}");
        File.WriteAllText(passwordFile, password + "\n");
        var binlog = Path.Combine(dir, "push.binlog");
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME"] = user,
            ["MULTISTAGE_REGISTRY_PASSWORD_FILE"] = passwordFile,
        };

        // The later -v:diag wins over BuildThroughApi's -v:n.
        var result = BuildThroughApi(dir, repository, environment, $"-p:ContainerRegistry={TestEnvironment.ImageRegistry}", "-v:diag", $"-bl:{binlog}").EnsureSuccess();

        // The password was read and used: the push names where its credentials came from.
        StringAssert.Contains(result.Output, $"with the user '{user}' from DOTNET_CONTAINER_PUSH_REGISTRY_UNAME and the file MULTISTAGE_REGISTRY_PASSWORD_FILE names");
        Assert.IsFalse(result.Output.Contains(password, StringComparison.Ordinal), "the password is in the console output");

        // MSBuild records DOTNET_* variables in the binary log: finding the user name shows where the password would be.
        var replay = ProcessRunner.Run("dotnet", ["msbuild", binlog, "-v:diag", "-nologo"], dir, timeout: TimeSpan.FromMinutes(5)).EnsureSuccess();
        StringAssert.Contains(replay.Output, user);
        Assert.IsFalse(replay.Output.Contains(password, StringComparison.Ordinal), "the password is in the replayed binary log");
        using var decompressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(File.OpenRead(binlog), System.IO.Compression.CompressionMode.Decompress))
        {
            gzip.CopyTo(decompressed);
        }

        var content = decompressed.ToArray();
        Assert.IsTrue(content.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(user)) >= 0, "the binary log holds the DOTNET_* variables");
        Assert.IsTrue(content.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(password)) < 0, "the password is in the binary log");
        Assert.IsTrue(content.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(password)) < 0, "the password is in the binary log (UTF-16)");

        var pushed = $"{TestEnvironment.ImageRegistry}/{repository}";
        DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}", $"{pushed}:latest", $"{pushed}:1.0.{Run}");
    }

    [TestMethod]
    public void TheUsersSourceRevisionWinsAndADuplicateBuildArgumentIsACodedError()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var project = Path.Combine(dir, "ConsoleApp.csproj");
        var original = File.ReadAllText(project);
        void WithItems(string items) => File.WriteAllText(project, original.Replace("</Project>", $"  <ItemGroup>{items}</ItemGroup>\n</Project>", StringComparison.Ordinal));
        var repository = $"e2e/api-args-{Run}";
        string[] revisionFromTheSdk = ["-p:PublishRepositoryUrl=true", "-p:SourceRevisionId=from-the-sdk"];

        // Both the targets (for the revision label) and the user give SOURCE_REVISION: the user's value is used.
        WithItems("<MultiStageBuildArg Include=\"SOURCE_REVISION\" Value=\"from-the-user\" />");
        var built = BuildThroughApi(dir, repository, null, [.. revisionFromTheSdk, "-p:MultiStageContextSizeWarning=1kB"]).EnsureSuccess();
        Assert.AreEqual("from-the-user", DockerCli.Inspect($"{repository}:latest").GetProperty("Config").GetProperty("Labels").GetProperty("org.opencontainers.image.revision").GetString());
        // Any real context is larger than 1 kB: the warning names the size property.
        StringAssert.Matches(built.Output, new Regex("warning MSTAGE222: .*MultiStageContextSizeWarning"));
        DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}");

        // The same name twice: one coded error naming it, no MSB4018 and no stack trace.
        WithItems("<MultiStageBuildArg Include=\"GREETING\" Value=\"hi\" /><MultiStageBuildArg Include=\"GREETING\" Value=\"hello\" />");
        var duplicate = BuildThroughApi(dir, repository, null, revisionFromTheSdk);
        Assert.AreNotEqual(0, duplicate.ExitCode);
        StringAssert.Contains(duplicate.Output, "error MSTAGE221");
        StringAssert.Contains(duplicate.Output, "'GREETING'");
        Assert.IsFalse(duplicate.Output.Contains("MSB4018", StringComparison.Ordinal), duplicate.Output);
        Assert.IsFalse(duplicate.Output.Contains("   at "), "no stack trace:\n" + duplicate.Output);
    }

    [TestMethod]
    public void ClassicBuilderGetsADockerfileItCanParseAndTheFileOnDiskStaysTheSame()
    {
        var dir = TestEnvironment.CreateWorkspace("webapi");
        var repository = $"e2e/api-classic-{Run}";
        var result = BuildThroughApi(dir, repository, new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0" }).EnsureSuccess();
        StringAssert.Contains(result.Output, "with the classic builder");
        // The classic builder cannot parse FROM --platform=$BUILDPLATFORM: it got the rendering under obj/...
        StringAssert.Contains(result.Output, "multistage.classic.Dockerfile");
        // ...while the committed file is the one any other engine gets, so a check in CI still passes.
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "FROM --platform=$BUILDPLATFORM");
        BuildThroughApi(dir, repository, null, "-p:MultiStageCheck=true", "-p:MultiStageBuildImage=false").EnsureSuccess();
        Assert.AreEqual("1654", DockerCli.Inspect($"{repository}:latest").GetProperty("Config").GetProperty("User").GetString());
        DockerCli.Run("rmi", "-f", $"{repository}:latest", $"{repository}:1.0.{Run}");
    }

    [TestMethod]
    [DataRow("BuildKit")]
    [DataRow("Classic")]
    public void ACompileErrorOfTheBuildStageIsReportedAtTheSourceLineOnThisMachine(string builder)
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        // A missing semicolon only the build stage sees (the host never compiles here): line 7, after column 25.
        var program = Path.Combine(dir, "Program.cs");
        var lines = File.ReadAllLines(program);
        lines[6] = "    static int Broken = 1";
        File.WriteAllLines(program, lines);
        var environment = new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = builder == "Classic" ? "0" : "1" };
        var result = BuildThroughApi(dir, $"e2e/api-broken-{builder.ToLowerInvariant()}-{Run}", environment);

        Assert.AreNotEqual(0, result.ExitCode);
        // The compiler's error as MSBuild shows its own: the file on this machine, line, column, code.
        StringAssert.Contains(result.Output, $"{program}(7,26): error CS1002: ; expected");
        Assert.IsFalse(result.Output.Contains("/src/Program.cs", StringComparison.Ordinal), "no build-stage path:\n" + result.Output);
        // Then one coded error that counts them; the compiler's text is not repeated inside it.
        StringAssert.Matches(result.Output, new Regex(@"error MSTAGE233: The build stage failed: 1 compiler error, "));
        Assert.IsFalse(Regex.IsMatch(result.Output, "MSTAGE233:[^\n]*CS1002"), result.Output);
        // MSBuild printed it twice in the build stage; here it is one error (the console logger's own summary repeats each once).
        Assert.AreEqual(2, Regex.Matches(result.Output, "error CS1002").Count, result.Output);
        StringAssert.Contains(result.Output, "2 Error(s)");
        Assert.IsFalse(result.Output.Contains("   at "), "no stack trace:\n" + result.Output);
    }

    [TestMethod]
    public void InnerLoopAssemblesTheImageFromTheHostPublishAndAnEditChangesOneLayer()
    {
        var root = TestEnvironment.CreateWorkspace("multiproject");
        var app = Path.Combine(root, "src", "App");
        var repository = $"e2e/api-inner-{Run}";
        var env = new Dictionary<string, string?>();
        ProcessResult Publish(params string[] extra) => ProcessRunner.Run("dotnet", new[]
        {
            "publish", "-t:ContainerizeMultiStage", "-nologo", "-v:n",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true", "-p:MultiStageInnerLoop=true", "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}", "-p:ContainerImageTag=dev",
        }.Concat(extra).ToArray(), app, env, TimeSpan.FromMinutes(10)).EnsureSuccess();
        List<string> DependencyImages() => DockerCli.Run("image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository).EnsureSuccess().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => t.Contains(":multistage-deps-", StringComparison.Ordinal)).ToList();

        var first = Publish();
        // Humanizer (the packages layer) goes into a dependencies image of its own, built once.
        var dependencyImage = DependencyImages().Single();
        StringAssert.Contains(first.Output, $"tagged {dependencyImage}");
        Assert.IsFalse(File.Exists(Path.Combine(root, "Dockerfile")), "the inner loop leaves the committed Dockerfile alone");
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:dev").EnsureSuccess().Output, "multiproject: three steps");
        var before = DockerCli.Inspect($"{repository}:dev").GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();

        File.AppendAllText(Path.Combine(app, "Program.cs"), "\n// edited\n");
        var second = Publish();
        StringAssert.Contains(second.Output, "Warming up the engine client in the background.");
        StringAssert.Contains(second.Output, $"reusing {dependencyImage}");
        CollectionAssert.AreEqual(new[] { dependencyImage }, DependencyImages());
        var after = DockerCli.Inspect($"{repository}:dev").GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.AreEqual(before.Count, after.Count);
        CollectionAssert.AreEqual(before.Take(before.Count - 1).ToList(), after.Take(after.Count - 1).ToList(), "only the app layer changes");
        Assert.AreNotEqual(before[^1], after[^1]);
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:dev").EnsureSuccess().Output, "multiproject: three steps");

        // Another working directory changes the dependencies Dockerfile: a new image replaces the old one.
        Publish("-p:ContainerWorkingDirectory=/srv/app/");
        var replacement = DependencyImages().Single();
        Assert.AreNotEqual(dependencyImage, replacement);
        Assert.AreEqual("/srv/app/", DockerCli.Inspect($"{repository}:dev").GetProperty("Config").GetProperty("WorkingDir").GetString());
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:dev").EnsureSuccess().Output, "multiproject: three steps");
        DockerCli.Run("rmi", "-f", $"{repository}:dev", replacement);
    }

    [TestMethod]
    public void AnUnreachableEngineIsACodedErrorNamingTheAddress()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var result = BuildThroughApi(dir, $"e2e/api-unreachable-{Run}", null, "-p:MultiStageDockerHost=unix:///run/multistage-no-such.sock");
        Assert.AreNotEqual(0, result.ExitCode);
        StringAssert.Contains(result.Output, "error MSTAGE200");
        StringAssert.Contains(result.Output, "/run/multistage-no-such.sock");
        Assert.IsFalse(result.Output.Contains("   at "), "no stack trace:\n" + result.Output);

        // The inner loop's warm-up meets the same engine first: it stays silent, and the image build reports it once.
        var inner = ProcessRunner.Run("dotnet", new[]
        {
            "publish", "-t:ContainerizeMultiStage", "-nologo", "-v:n", "-clp:NoSummary", "-p:MultiStageBuildImage=true", "-p:MultiStageInnerLoop=true",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}", "-p:MultiStageDockerHost=unix:///run/multistage-no-such.sock",
        }, dir, null, TimeSpan.FromMinutes(10));
        Assert.AreNotEqual(0, inner.ExitCode);
        StringAssert.Contains(inner.Output, "Warming up the engine client in the background.");
        Assert.AreEqual(1, Regex.Matches(inner.Output, "error MSTAGE200").Count, inner.Output);
        Assert.IsFalse(inner.Output.Contains("   at "), "no stack trace:\n" + inner.Output);
    }
}
