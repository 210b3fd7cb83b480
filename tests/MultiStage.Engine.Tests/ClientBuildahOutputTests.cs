using Docker.DotNet.Models;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Client;
using MultiStage.Logging;

namespace MultiStage.Engine.Tests;

/// <summary>Buildah's output (Podman's /build) and Podman's push stream, replayed from captured responses.</summary>
[TestClass]
public sealed class ClientBuildahOutputTests
{
    private static BuildOutputParser Replay(string stream, TestLog log)
    {
        var parser = new BuildOutputParser(log, null, buildah: true);
        foreach (var line in stream.Split('\n'))
        {
            parser.FeedLine(line);
        }

        parser.Complete();
        return parser;
    }

    [TestMethod]
    public void StepsAreShownAtNormalVerbosityAndTheirOutputAtDetailed()
    {
        var log = new TestLog();
        var parser = Replay(BuildahStreamSamples.TwoStageSuccess, log);
        Assert.IsNull(parser.Error);
        Assert.AreEqual("sha256:59a6a2b03e1bda437eb05a719af3f1f9c09ba76382e8c713a16a0f3488d7d374", parser.ImageId);
        CollectionAssert.AreEqual(
            new[]
            {
                "[1/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0 AS build",
                "[1/2] STEP 2/3: ARG TARGETARCH",
                "[1/2] STEP 3/3: RUN mkdir /out && echo \"x $TARGETARCH\" > /out/marker.txt && echo built-the-marker",
                "[2/2] STEP 1/3: FROM 127.0.0.1:5000/dotnet/runtime-deps:10.0",
                "[2/2] STEP 2/3: COPY --from=build /out/marker.txt /marker.txt",
                "[2/2] STEP 3/3: CMD [\"cat\", \"/marker.txt\"]",
                "[2/2] COMMIT docker.io/mstage-cap/b:1",
            },
            log.Lines(Verbosity.Normal).ToArray());
        var detailed = log.Lines(Verbosity.Detailed).ToList();
        CollectionAssert.Contains(detailed, "  built-the-marker");
        // The commit's own lines are the engine's, not a step's output.
        CollectionAssert.Contains(detailed, "Writing manifest to image destination");
        CollectionAssert.DoesNotContain(detailed, "  Writing manifest to image destination");
    }

    [TestMethod]
    public void StepsBecomeTheSameEventsAsBuildKitSteps()
    {
        var parser = Replay(BuildahStreamSamples.TwoStageSuccess, new TestLog());
        var events = parser.Buildah!.Events;
        Assert.AreEqual(6, events.OfType<BuildStepStarted>().Count());
        Assert.AreEqual(6, events.OfType<BuildStepCompleted>().Count(), "each step completes once: at the next step, or at the commit");
        var output = events.OfType<BuildStepLog>().Single();
        Assert.AreEqual(3, output.Step);
        Assert.AreEqual("built-the-marker", output.Line);
        Assert.AreEqual("[1/2] STEP 3/3: RUN mkdir /out && echo \"x $TARGETARCH\" > /out/marker.txt && echo built-the-marker", output.Name);
        Assert.IsTrue(events.Select(e => e.Step).SequenceEqual(events.Select(e => e.Step).Order()), "events come in step order");
    }

    [TestMethod]
    public void LayeredBuildsShowEachCommittedStepAtDetailedVerbosity()
    {
        var log = new TestLog();
        var parser = Replay(BuildahStreamSamples.TwoStageWithLayers, log);
        Assert.IsNull(parser.Error);
        Assert.AreEqual("sha256:9488c6353fc4c9a5aee921b8e3af7f7c936088f0fb04b8b0f2821cb56a9865cd", parser.ImageId);
        Assert.AreEqual("9488c6353fc4", parser.ShortImageId, "\"Successfully built\" comes last");
        CollectionAssert.Contains(log.Lines(Verbosity.Detailed).ToList(), "--> 8ee46c75cf8");
        Assert.AreEqual(6, log.Lines(Verbosity.Normal).Count(l => l.Contains(" STEP ", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void ACompileErrorIsAStepFailureWithTheCompilerLines()
    {
        var parser = Replay(BuildahStreamSamples.CompileError, new TestLog());
        var error = parser.Error;
        Assert.IsNotNull(error);
        // Buildah's lines feed the same diagnostics as Docker's builders: each error once, at its file and line.
        Assert.AreEqual(EngineErrorCodes.BuildStageErrors, error.Code, error.Message);
        Assert.AreEqual(1, error.ExitCode);
        Assert.AreEqual("[1/2] STEP 4/4: RUN dotnet build App.csproj -nologo -p:UseAppHost=false", error.Step);
        var compile = error.Diagnostics.Single(d => d.Code == "CS1002");
        Assert.AreEqual(("/src/Program.cs", 7, 32), (compile.File, compile.Line, compile.Column));
        var failed = parser.Buildah!.Events.OfType<BuildStepFailed>().Single();
        Assert.AreEqual(4, failed.Step);
        Assert.IsFalse(parser.Buildah.Events.OfType<BuildStepCompleted>().Any(e => e.Step == 4));
    }

    [TestMethod]
    public void AMissingBaseImageIsABaseImageFailure()
    {
        var parser = Replay(BuildahStreamSamples.MissingBaseImage, new TestLog());
        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, parser.Error?.Code, parser.Error?.Message);
        StringAssert.Contains(parser.Error!.Message, "127.0.0.1:5000/nope/missing:1");
        Assert.AreEqual("STEP 1/2: FROM 127.0.0.1:5000/nope/missing:1", parser.Error.Step);
    }

    [TestMethod]
    public void RawLinesStayAvailable()
    {
        var raw = new List<string>();
        var output = new BuildahOutput(new TestLog()) { LineReceived = raw.Add };
        output.Feed("[1/2] STEP 4/4: RUN dotnet build\n/src/Program.cs(7,32): error CS1002: ; expected [/src/App.csproj]\n");
        output.Flush();
        CollectionAssert.AreEqual(new[] { "[1/2] STEP 4/4: RUN dotnet build", "/src/Program.cs(7,32): error CS1002: ; expected [/src/App.csproj]" }, raw);
    }

    [TestMethod]
    public void ThePushDigestComesFromPodmansStatusLine()
    {
        var log = new TestLog();
        var progress = new ImageTransferProgress(log);
        foreach (var line in BuildahStreamSamples.Push.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            progress.Report(System.Text.Json.JsonSerializer.Deserialize<JSONMessage>(line)!);
        }

        Assert.IsNull(progress.Error);
        Assert.AreEqual("sha256:0c2e4e7118e65a1a40ec2206c32c4883efb212c882df1199e5eff23606aa2d6c", progress.Digest);
        Assert.AreEqual(1053L, progress.Size);
    }

    [TestMethod]
    public void APullDigestLineIsNotAPushDigest()
    {
        var progress = new ImageTransferProgress(new TestLog());
        progress.Report(new JSONMessage { Status = "Digest: sha256:0c2e4e7118e65a1a40ec2206c32c4883efb212c882df1199e5eff23606aa2d6c" });
        Assert.IsNull(progress.Digest);
    }
}
