using Docker.DotNet.Models;
using MultiStage.Engine.Client;
using MultiStage.Logging;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

[TestClass]
[TestCategory("Engine")]
public sealed class EngineBuildTests
{
    private static BuildRequest Request(IBuildContextSource context, string repository, BuilderKind builder, params string[] tags) => new()
    {
        Context = context,
        Repository = repository,
        Tags = tags,
        Builder = builder,
        // No bridge network on the test machine: RUN steps use the host's.
        NetworkMode = "host",
        // The classic builder of Docker 20.10 probes its cache by listing images and then reading each one: an image
        // another test deletes in between fails the build ("unable to find image"). These tests need no cache.
        NoCache = builder == BuilderKind.Classic,
    };

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task BuildsTagsAndReports(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        dir.Write("Dockerfile", $"""
            FROM {EngineTestEnvironment.BaseImage} AS build
            ARG GREETING
            COPY hello.txt /hello.txt
            RUN echo "$GREETING from the build" > /built.txt && cat /built.txt

            FROM {EngineTestEnvironment.BaseImage} AS final
            COPY --from=build /built.txt /hello.txt /
            """);
        dir.Write("hello.txt", "hello\n");
        dir.Write("ignored/big.bin", new string('x', 100_000));
        dir.Write(".dockerignore", "ignored\n");
        var repository = EngineTestEnvironment.UniqueRepository("build");
        var log = new TestLog();
        var request = Request(new DirectoryBuildContext(dir.Path), repository, builder, "1.0", "latest") with
        {
            BuildArgs = new Dictionary<string, string> { ["GREETING"] = "hi" },
            Labels = new Dictionary<string, string> { ["org.multistage.test"] = "yes" },
            TargetStage = "final",
            NoCache = true,
        };

        try
        {
            var result = await client.BuildAsync(request, log);

            Assert.AreEqual(builder, result.Builder);
            StringAssert.StartsWith(result.ImageId, "sha256:");
            CollectionAssert.AreEqual(new[] { $"{repository}:1.0", $"{repository}:latest" }, result.Tags.ToArray());
            Assert.IsTrue(result.Size > 0);
            Assert.AreEqual(result.ImageId, await EngineTestEnvironment.ImageIdAsync($"{repository}:1.0"));
            Assert.AreEqual(result.ImageId, await EngineTestEnvironment.ImageIdAsync($"{repository}:latest"));

            using var docker = EngineTestEnvironment.Raw();
            var image = await docker.Images.InspectImageAsync(result.ImageId);
            Assert.AreEqual("yes", image.Config?.Labels?["org.multistage.test"]);

            var summary = log.SummaryLines.Single();
            StringAssert.Contains(summary, EngineClient.ShortId(result.ImageId));
            StringAssert.Contains(summary, $"{repository}:1.0");
            StringAssert.Contains(summary, " in ");

            // Step progress at normal verbosity, command output at detailed.
            var normal = string.Join("\n", log.Lines(Verbosity.Normal));
            StringAssert.Contains(normal, "COPY hello.txt /hello.txt");
            Assert.IsTrue(log.Lines(Verbosity.Detailed).Any(l => l.EndsWith("hi from the build", StringComparison.Ordinal)), log.All);
            Assert.IsFalse(log.Lines(Verbosity.Normal).Any(l => l.EndsWith("hi from the build", StringComparison.Ordinal)));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1.0", $"{repository}:latest");
        }
    }

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task FailingRunStepGivesItsExitCodeAndLastLines(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var context = new InMemoryContext(("Dockerfile", $"""
            FROM {EngineTestEnvironment.BaseImage}
            RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "progress $i"; done; echo "fatal: the thing broke" >&2; exit 7
            """));
        var repository = EngineTestEnvironment.UniqueRepository("fail");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(context, repository, builder, "1") with { NoCache = true }, new TestLog()));

        Assert.AreEqual(EngineErrorCodes.StepFailed, error.Code, error.Message);
        Assert.AreEqual(7, error.ExitCode);
        StringAssert.Contains(error.Step, "RUN for i in");
        Assert.IsTrue(error.LastOutputLines.Contains("fatal: the thing broke"), string.Join("|", error.LastOutputLines));
        Assert.IsTrue(error.LastOutputLines.Contains("progress 20"), string.Join("|", error.LastOutputLines));
        Assert.IsFalse(error.LastOutputLines.Contains("progress 1"), "only the last lines are kept");
        StringAssert.Contains(error.Message, "exit code 7");
        StringAssert.Contains(error.Message, "fatal: the thing broke");
        Assert.IsNull(await EngineTestEnvironment.ImageIdAsync($"{repository}:1"));
    }

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task MissingBaseImageIsReported(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        // A registry on the loopback that nothing listens on: the pull fails at once, without leaving the machine.
        var context = new InMemoryContext(("Dockerfile", "FROM 127.0.0.1:9/nothing/here:1\nRUN true\n"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(context, EngineTestEnvironment.UniqueRepository("pull"), builder), new TestLog()));
        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, error.Code, error.Message);
        StringAssert.Contains(error.Message, "127.0.0.1:9");
    }

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task MissingDockerfileIsReported(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var context = new InMemoryContext(("other.txt", "x"));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(context, EngineTestEnvironment.UniqueRepository("nofile"), builder) with { DockerfilePath = "Dockerfile.missing" }, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.DockerfileNotFound, error.Code, error.Message);
    }

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task CancellingMidBuildStopsItAndLeavesNoTag(BuilderKind builder)
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var marker = Guid.NewGuid().ToString("N");
        // A duration no other process is likely to sleep for, so that the step's process can be told apart.
        var seconds = 600 + Random.Shared.Next(1, 300);
        var context = new InMemoryContext(("Dockerfile", $"""
            FROM {EngineTestEnvironment.BaseImage}
            RUN echo started-{marker} && sleep {seconds} && echo finished
            """));
        var repository = EngineTestEnvironment.UniqueRepository("cancel");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var log = new CancelOnLine($"started-{marker}", cancellation);
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(context, repository, builder, "1") with { NoCache = true }, log, cancellation.Token));

        Assert.AreEqual(EngineErrorCodes.BuildCancelled, error.Code, error.Message);
        Assert.IsTrue(log.Seen, "the build was cancelled while its RUN step ran");
        Assert.IsTrue(DateTime.UtcNow - started < TimeSpan.FromSeconds(45), "cancellation does not wait for the step");
        Assert.IsNull(await EngineTestEnvironment.ImageIdAsync($"{repository}:1"));

        // The engine stops the step when the client goes away: no container of it keeps running.
        using var docker = EngineTestEnvironment.Raw();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IList<ContainerListResponse> running;
        do
        {
            await Task.Delay(500);
            running = (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = false }))
                .Where(c => c.Command.Contains(marker, StringComparison.Ordinal)).ToList();
        }
        while (running.Count > 0 && DateTime.UtcNow < deadline);
        Assert.AreEqual(0, running.Count, "the cancelled step's container still runs");
        // BuildKit kills the step's process when the build's request and session are gone: give it the same time.
        bool sleeping;
        while ((sleeping = System.Diagnostics.Process.GetProcessesByName("sleep").Any(p => CommandLine(p.Id).Trim() == $"sleep {seconds}")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.IsFalse(sleeping, "the step's process still runs");
    }

    [TestMethod]
    public async Task CancelledBuildPutsBackATagItMoved()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("keep");
        try
        {
            var first = await client.BuildAsync(Request(new InMemoryContext(("Dockerfile", $"FROM scratch\nLABEL v=1 run={repository}\n")), repository, BuilderKind.Classic, "1"), new TestLog());
            using var cancellation = new CancellationTokenSource();
            var context = new InMemoryContext(("Dockerfile", $"FROM {EngineTestEnvironment.BaseImage}\nRUN echo go-{first.ImageId[7..19]} && sleep 60\n"));
            var log = new CancelOnLine($"go-{first.ImageId[7..19]}", cancellation);
            await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(Request(context, repository, BuilderKind.BuildKit, "1") with { NoCache = true }, log, cancellation.Token));
            Assert.AreEqual(first.ImageId, await EngineTestEnvironment.ImageIdAsync($"{repository}:1"), "the tag still names the earlier image");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    /// <summary>
    /// The classic builder pulls base images with the credentials sent in X-Registry-Config. BuildKit without a client
    /// session pulls anonymously (Docker 20.10), so base images named in the request are pulled by the client first.
    /// </summary>
    [TestMethod]
    [DataRow(BuilderKind.Classic, false)]
    [DataRow(BuilderKind.BuildKit, true)]
    public async Task BaseImagePullUsesTheDockerConfigCredentials(BuilderKind builder, bool nameBaseImages)
    {
        // The engine and the base image must be up; this test talks to the engine with a client of its own.
        (await EngineTestEnvironment.ConnectAsync()).Dispose();
        using var home = new TempDirectory();
        // A registry that asks for a login and then knows no image: the engine must come back with the credentials.
        await using var registry = new FakeHttpServer(async (request, stream) =>
        {
            var headOnly = request.Method == "HEAD";
            if (!request.Headers.ContainsKey("Authorization"))
            {
                await FakeHttpServer.WriteAsync(stream, 401, "Unauthorized", "application/json; charset=utf-8", """{"errors":[{"code":"UNAUTHORIZED","message":"login first"}]}""", headOnly: headOnly, headers: [("WWW-Authenticate", "Basic realm=\"test\""), ("Docker-Distribution-API-Version", "registry/2.0")]);
                return true;
            }

            await FakeHttpServer.WriteAsync(stream, 404, "Not Found", "application/json; charset=utf-8", """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"no such manifest"}]}""", headOnly: headOnly, headers: [("Docker-Distribution-API-Version", "registry/2.0")]);
            return true;
        });
        var host = $"127.0.0.1:{registry.Port}";
        home.Write(".docker/config.json", "{\"auths\":{\"" + host + "\":{\"auth\":\"YnVpbGRlcjpiYXNlLXB3\"}}}");
        var environment = new Dictionary<string, string> { ["HOME"] = home.Path };
        using var client = EngineClient.Create(EngineTestEnvironment.Endpoint, name => environment.TryGetValue(name, out var v) ? v : null);
        var context = new InMemoryContext(("Dockerfile", $"FROM {host}/private/base:1\nRUN true\n"));
        var request = Request(context, EngineTestEnvironment.UniqueRepository("private"), builder) with
        {
            BaseImages = nameBaseImages ? [$"{host}/private/base:1"] : [],
        };

        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));

        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, error.Code, error.Message);
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("builder:base-pw"));
        Assert.IsTrue(registry.Requests.Any(r => r.Headers.TryGetValue("Authorization", out var auth) && auth == expected), string.Join("\n", registry.Requests.Select(r => $"{r.Method} {r.Path}")));
    }

    [TestMethod]
    public async Task WithoutASessionNamedBaseImagesMissingFromTheEngineArePulledFirst()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var baseRepository = EngineTestEnvironment.UniqueRepository("base");
        var remote = $"{EngineTestEnvironment.Registry}/{baseRepository}";
        var repository = EngineTestEnvironment.UniqueRepository("onbase");
        try
        {
            await client.BuildAsync(Request(new InMemoryContext(("Dockerfile", "FROM scratch\nCOPY f /f\n"), ("f", baseRepository)), baseRepository, BuilderKind.Classic, "1"), new TestLog());
            await client.PushAsync(baseRepository, ["1"], EngineTestEnvironment.Registry, null, new TestLog());
            await EngineTestEnvironment.RemoveAsync($"{remote}:1", $"{baseRepository}:1");
            Assert.IsNull(await EngineTestEnvironment.ImageIdAsync($"{remote}:1"));

            var log = new TestLog();
            // The classic builder has no session to ask for credentials: the client pulls first. (With BuildKit the
            // builder pulls and asks the session: EngineFileSyncTests.PrivateBaseImageIsPulledByBuildKit….)
            var request = Request(new InMemoryContext(("Dockerfile", $"FROM {remote}:1\nLABEL on=base\n")), repository, BuilderKind.Classic, "1") with
            {
                BaseImages = [$"{remote}:1", "scratch"],
            };
            await client.BuildAsync(request, log);

            Assert.IsTrue(log.Lines(Verbosity.Normal).Contains($"Pulling base image {remote}:1"), log.All);
            Assert.IsNotNull(await EngineTestEnvironment.ImageIdAsync($"{remote}:1"));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1", $"{remote}:1", $"{baseRepository}:1");
        }
    }

    [TestMethod]
    [DataRow(BuilderKind.BuildKit)]
    [DataRow(BuilderKind.Classic)]
    public async Task ALongFileNameSortingBeforeTheDockerfileDoesNotHideTheArchive(BuilderKind builder)
    {
        // A name that needs a PAX header and sorts before "Dockerfile": BuildKit on 20.10 would take an archive
        // opening with it for a bare Dockerfile.
        using var client = await EngineTestEnvironment.ConnectAsync();
        using var dir = new TempDirectory();
        var longName = "A" + new string('b', 120) + ".txt";
        dir.Write(longName, "long\n");
        dir.Write("Dockerfile", $"FROM scratch\nCOPY {longName} /long.txt\n");
        var repository = EngineTestEnvironment.UniqueRepository("paxfirst");
        try
        {
            var result = await client.BuildAsync(Request(new DirectoryBuildContext(dir.Path), repository, builder, "1"), new TestLog());
            StringAssert.StartsWith(result.ImageId, "sha256:");
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task AnEditWithinASecondOfTheLastBuildIsNewerThanItsOutputsInACacheMount()
    {
        // What an incremental compile in a cache mount sees: the previous build wrote its output at 0.4 s past a
        // second, and the source was edited again at 0.7 s past it. Sent with its time rounded down, the edit would
        // look older than the output and the step would keep the old output.
        using var client = await EngineTestEnvironment.ConnectAsync();
        var debian = await EngineTestEnvironment.DebianImageAsync();
        using var dir = new TempDirectory();
        var second = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // Unique contents too: BuildKit's COPY cache ignores times, and a hit would bring back an earlier run's file.
        var cacheId = "mstage-test-mtime-" + Guid.NewGuid().ToString("N")[..8];
        dir.Write("Dockerfile", $"""
            FROM {debian}
            COPY src.txt /src/
            ARG OUTPUT_TIME
            RUN --mount=type=cache,id={cacheId},target=/cache \
                if [ ! -e /cache/out.txt ] || [ -n "$(find /src/src.txt -newer /cache/out.txt)" ]; then cp /src/src.txt /cache/out.txt && touch -d "@$OUTPUT_TIME" /cache/out.txt; fi && cp /cache/out.txt /result.txt
            """);
        var repository = EngineTestEnvironment.UniqueRepository("mtime");
        var request = Request(new DirectoryBuildContext(dir.Path), repository, BuilderKind.BuildKit, "1") with
        {
            BuildArgs = new Dictionary<string, string> { ["OUTPUT_TIME"] = $"{second.ToUnixTimeSeconds()}.4" },
        };
        try
        {
            dir.Write("src.txt", $"first {cacheId}\n");
            File.SetLastWriteTimeUtc(Path.Combine(dir.Path, "src.txt"), second.AddMilliseconds(100).UtcDateTime);
            await client.BuildAsync(request, new TestLog());
            Assert.AreEqual($"first {cacheId}\n", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/result.txt"));

            dir.Write("src.txt", $"second {cacheId}\n");
            File.SetLastWriteTimeUtc(Path.Combine(dir.Path, "src.txt"), second.AddMilliseconds(700).UtcDateTime);
            await client.BuildAsync(request, new TestLog());
            Assert.AreEqual($"second {cacheId}\n", await EngineTestEnvironment.ReadFileAsync($"{repository}:1", "/result.txt"));
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task AutoChoosesBuildKitOnThisEngine()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var repository = EngineTestEnvironment.UniqueRepository("auto");
        try
        {
            var result = await client.BuildAsync(Request(new InMemoryContext(("Dockerfile", "FROM scratch\nLABEL a=b\n")), repository, BuilderKind.Auto, "1"), new TestLog());
            var info = await client.GetInfoAsync();
            Assert.IsTrue(info.SupportsBuildKit, $"API {info.ApiVersion} on {info.OperatingSystem}");
            Assert.AreEqual(Environment.GetEnvironmentVariable("DOCKER_BUILDKIT") == "0" ? BuilderKind.Classic : BuilderKind.BuildKit, result.Builder);
        }
        finally
        {
            await EngineTestEnvironment.RemoveAsync($"{repository}:1");
        }
    }

    [TestMethod]
    public async Task UnreadableContextFileIsReported()
    {
        using var client = await EngineTestEnvironment.ConnectAsync();
        var failure = new Context.ContextFileException("/src/app/locked.bin", "locked.bin", new UnauthorizedAccessException("Access to the path '/src/app/locked.bin' is denied."));
        var request = Request(new FailingContext(failure), EngineTestEnvironment.UniqueRepository("ctx"), BuilderKind.BuildKit, "1");
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.BuildAsync(request, new TestLog()));
        Assert.AreEqual(EngineErrorCodes.ContextUnreadable, error.Code, error.Message);
        StringAssert.Contains(error.Message, "locked.bin");
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Cancels the build as soon as a given line of step output is logged.</summary>
    private sealed class CancelOnLine(string text, CancellationTokenSource cancellation) : ILog
    {
        public bool Seen { get; private set; }

        public void Error(string code, string message, string? file = null)
        {
        }

        public void Warning(string code, string message, string? file = null)
        {
        }

        public void Info(string message, Verbosity verbosity = Verbosity.Normal)
        {
            if (message.EndsWith(text, StringComparison.Ordinal) && !Seen)
            {
                Seen = true;
                cancellation.Cancel();
            }
        }
    }
}
