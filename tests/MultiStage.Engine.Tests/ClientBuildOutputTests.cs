using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildOutput;
using MultiStage.Engine.Client;
using MultiStage.Logging;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class ClientBuildOutputTests
{
    private static BuildOutputParser Replay(string stream, TestLog log, bool buildKit)
    {
        var parser = new BuildOutputParser(log, buildKit ? new BuildKitProgress() : null);
        foreach (var line in stream.Split('\n'))
        {
            parser.FeedLine(line);
        }

        parser.Complete();
        return parser;
    }

    [TestMethod]
    public void ClassicSuccessGivesTheImageIdAndShowsSteps()
    {
        var log = new TestLog();
        var parser = Replay(ClientStreamSamples.ClassicSuccess, log, buildKit: false);
        Assert.IsNull(parser.Error);
        Assert.AreEqual("sha256:e014ef6b80f0a046c6449f76b4ccd51df1be611f82c3a888f0cbf5d3d1b0060f", parser.ImageId);
        CollectionAssert.AreEqual(
            new[] { "Step 1/3 : FROM scratch", "Step 2/3 : COPY a.txt /a.txt", " ---> Using cache", "Step 3/3 : LABEL x=y" },
            log.Lines(Verbosity.Normal).ToArray());
        StringAssert.Contains(log.All, "Successfully tagged mstest-bk:2");
    }

    [TestMethod]
    public void ClassicFailingRunGivesStepExitCodeAndLastLines()
    {
        var log = new TestLog();
        var parser = Replay(ClientStreamSamples.ClassicFailingRun, log, buildKit: false);
        Assert.IsNull(parser.ImageId);
        var error = parser.Error;
        Assert.IsNotNull(error);
        Assert.AreEqual(EngineErrorCodes.StepFailed, error.Code);
        Assert.AreEqual(3, error.ExitCode);
        Assert.AreEqual("Step 2/2 : RUN echo line1 && echo line2 && echo oops >&2 && exit 3", error.Step);
        CollectionAssert.AreEqual(new[] { "line1", "line2", "oops" }, error.LastOutputLines.ToArray(), "colour codes of stderr are stripped");
        StringAssert.Contains(error.Message, "exit code 3");
        StringAssert.Contains(error.Message, "    oops");
        Assert.IsTrue(log.Lines(Verbosity.Detailed).Contains("  line2"), "step output is logged at detailed verbosity");
        Assert.IsFalse(log.Lines(Verbosity.Normal).Contains("  line2"), "step output is not shown at normal verbosity");
    }

    [TestMethod]
    public void ClassicFailureInFromStepIsABaseImageError()
    {
        var parser = Replay(ClientStreamSamples.ClassicPullFailure, new TestLog(), buildKit: false);
        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, parser.Error?.Code);
        StringAssert.Contains(parser.Error!.Message, "example.invalid/nope:1");
        StringAssert.Contains(parser.Error.Message, "no such host");
    }

    [TestMethod]
    public void ClassicStreamSplitAcrossMessagesIsJoinedIntoLines()
    {
        var log = new TestLog();
        var parser = new BuildOutputParser(log, null);
        parser.FeedLine("""{"stream":"Step 1/1 : RUN echo he"}""");
        parser.FeedLine("""{"stream":"\n"}""");
        parser.FeedLine("""{"stream":"par"}""");
        parser.FeedLine("""{"stream":"tial\nsecond"}""");
        parser.Complete();
        CollectionAssert.AreEqual(new[] { "Step 1/1 : RUN echo he", "  partial", "  second" }, log.Entries.Select(e => e.Message).ToArray());
    }

    [TestMethod]
    public void ClassicMissingDockerfileIsItsOwnError()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"errorDetail":{"message":"Cannot locate specified Dockerfile: Dockerfile.missing"},"error":"Cannot locate specified Dockerfile: Dockerfile.missing"}""");
        Assert.AreEqual(EngineErrorCodes.DockerfileNotFound, parser.Error?.Code);
    }

    [TestMethod]
    public void OtherErrorsAreBuildFailures()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"stream":"Step 1/2 : FROM scratch\n"}""");
        parser.FeedLine("""{"stream":" ---\u003e \n"}""");
        parser.FeedLine("""{"stream":"Step 2/2 : COPY missing /x\n"}""");
        parser.FeedLine("""{"errorDetail":{"message":"COPY failed: file not found in build context or excluded by .dockerignore: stat missing: file does not exist"}}""");
        Assert.AreEqual(EngineErrorCodes.BuildFailed, parser.Error?.Code);
        Assert.AreEqual("Step 2/2 : COPY missing /x", parser.Error!.Step);
        StringAssert.Contains(parser.Error.Message, "file not found in build context");
    }

    [TestMethod]
    public void ClassicResultFallsBackToSuccessfullyBuiltLine()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"stream":"Successfully built 0123456789ab\n"}""");
        parser.Complete();
        Assert.IsNull(parser.ImageId, "a short id alone is not taken as the result");
        Assert.AreEqual("0123456789ab", parser.ShortImageId);
    }

    [TestMethod]
    public void NonJsonLinesAreShownNotFatal()
    {
        var log = new TestLog();
        var parser = new BuildOutputParser(log, null);
        parser.FeedLine("<html>proxy error</html>");
        Assert.IsNull(parser.Error);
        StringAssert.Contains(log.All, "proxy error");
    }

    [TestMethod]
    public void BuildKitSuccessShowsStepsAndGivesTheImageId()
    {
        var log = new TestLog();
        var parser = Replay(ClientStreamSamples.BuildKitSuccess, log, buildKit: true);
        Assert.IsNull(parser.Error);
        Assert.IsTrue(parser.SawBuildKitTrace);
        Assert.AreEqual("sha256:1a8a66fa91cfd08d49d25e9366547b6233116f3bf4d826ebbf5642ed9346b76f", parser.ImageId);
        var normal = log.Lines(Verbosity.Normal).ToArray();
        var start = normal.Single(l => l.EndsWith(" [1/1] COPY a.txt /a.txt", StringComparison.Ordinal));
        StringAssert.Matches(start, new System.Text.RegularExpressions.Regex(@"^#\d+ "));
        var number = start[..start.IndexOf(' ')];
        Assert.IsTrue(normal.Any(l => l.StartsWith(number + " DONE ", StringComparison.Ordinal) || l == number + " CACHED"), string.Join("\n", normal));
    }

    [TestMethod]
    public void BuildKitFailingRunGivesStepExitCodeAndLastLines()
    {
        var log = new TestLog();
        var parser = Replay(ClientStreamSamples.BuildKitFailingRun, log, buildKit: true);
        var error = parser.Error;
        Assert.IsNotNull(error);
        Assert.AreEqual(EngineErrorCodes.StepFailed, error.Code);
        Assert.AreEqual(3, error.ExitCode);
        Assert.AreEqual("[2/2] RUN echo line1 && echo line2 && echo oops >&2 && exit 3", error.Step);
        // BuildKit carries stdout and stderr separately, so their relative order is the engine's, not the command's.
        CollectionAssert.AreEquivalent(new[] { "line1", "line2", "oops" }, error.LastOutputLines.ToArray(), string.Join("|", error.LastOutputLines));
        Assert.IsTrue(log.Lines(Verbosity.Normal).Any(l => l.Contains("ERROR", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void BuildKitPullFailureIsABaseImageError()
    {
        var parser = new BuildOutputParser(new TestLog(), new BuildKitProgress());
        parser.FeedLine("""{"errorDetail":{"message":"failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head \"https://example.invalid/v2/nope/manifests/1\": dial tcp: lookup example.invalid: no such host"}}""");
        Assert.AreEqual(EngineErrorCodes.BaseImageUnavailable, parser.Error?.Code);
    }

    [TestMethod]
    public void BuildKitDockerfileSyntaxErrorIsABuildFailure()
    {
        var parser = new BuildOutputParser(new TestLog(), new BuildKitProgress());
        parser.FeedLine("""{"errorDetail":{"message":"failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN"}}""");
        Assert.AreEqual(EngineErrorCodes.BuildFailed, parser.Error?.Code);
        StringAssert.Contains(parser.Error!.Message, "unknown instruction: RUNN");
    }

    [TestMethod]
    public void NewerBuildKitExitMessageIsUnderstood()
    {
        var parser = new BuildOutputParser(new TestLog(), new BuildKitProgress());
        parser.FeedLine("""{"errorDetail":{"message":"process \"/bin/sh -c make\" did not complete successfully: exit code: 2"}}""");
        Assert.AreEqual(EngineErrorCodes.StepFailed, parser.Error?.Code);
        Assert.AreEqual(2, parser.Error!.ExitCode);
    }

    [TestMethod]
    public void CorruptBuildKitTraceIsSkipped()
    {
        var log = new TestLog();
        var parser = new BuildOutputParser(log, new BuildKitProgress());
        parser.FeedLine("""{"id":"moby.buildkit.trace","aux":"!!!not base64"}""");
        parser.FeedLine("""{"id":"moby.image.id","aux":{"ID":"sha256:abc"}}""");
        Assert.IsNull(parser.Error);
        Assert.AreEqual("sha256:abc", parser.ImageId);
    }

    [TestMethod]
    public void OnlyTheFirstErrorCounts()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"errorDetail":{"message":"first"}}""");
        parser.FeedLine("""{"errorDetail":{"message":"second"}}""");
        StringAssert.Contains(parser.Error!.Message, "first");
    }

    [TestMethod]
    public void StderrSentBeforeStdoutIsStillShown()
    {
        // Recorded from the classic builder: a command's stderr arrives before its stdout.
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"stream":"Step 2/2 : RUN make\n"}""");
        parser.FeedLine("""{"stream":"\u001b[91mfatal: the thing broke\n\u001b[0m"}""");
        parser.FeedLine("{\"stream\":\"" + string.Concat(Enumerable.Range(1, 30).Select(i => $"progress {i}\\n")) + "\"}");
        parser.FeedLine("""{"errorDetail":{"code":7,"message":"The command '/bin/sh -c make' returned a non-zero code: 7"}}""");
        var lines = parser.Error!.LastOutputLines;
        Assert.AreEqual("fatal: the thing broke", lines[0]);
        Assert.AreEqual("progress 30", lines[^1]);
        Assert.AreEqual(BuildOutputParser.KeptLines + 1, lines.Count);
        Assert.IsFalse(lines.Contains("progress 1"));
    }

    [TestMethod]
    public void KeepsOnlyTheLastLinesOfAStep()
    {
        var parser = new BuildOutputParser(new TestLog(), null);
        parser.FeedLine("""{"stream":"Step 1/1 : RUN seq 100\n"}""");
        for (var i = 1; i <= 100; i++)
        {
            parser.FeedLine($$"""{"stream":"{{i}}\n"}""");
        }

        parser.FeedLine("""{"errorDetail":{"code":1,"message":"The command '/bin/sh -c seq 100' returned a non-zero code: 1"}}""");
        Assert.AreEqual(BuildOutputParser.KeptLines, parser.Error!.LastOutputLines.Count);
        Assert.AreEqual("100", parser.Error.LastOutputLines[^1]);
    }
}
