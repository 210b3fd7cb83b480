using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MultiStage.Engine.BuildKit;
using MultiStage.Engine.BuildKit.Protocol;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The .jsonl files are Engine API responses of <c>POST /build?version=2</c> captured from dockerd 20.10 building the
/// Dockerfiles stored beside them (base image: a static busybox imported with <c>docker import</c>).
/// </summary>
[TestClass]
public sealed class BuildKitProgressTests
{
    [TestMethod]
    public void CapturedRunOutput_ProducesStepsAndWholeLogLines()
    {
        var (progress, events) = Replay("run-output.jsonl");

        var run = events.OfType<BuildStepStarted>().Single(e => e.Name.StartsWith("[3/4] RUN", StringComparison.Ordinal));
        var logs = events.OfType<BuildStepLog>().Where(e => e.Step == run.Step).ToArray();
        CollectionAssert.AreEqual(
            new[] { "Stdout:line one", "Stdout:partial-done", "Stdout:line three", "Stderr:to stderr" },
            logs.Select(l => $"{l.Stream}:{l.Line}").ToArray());

        // Started, then its output, then completion.
        int started = events.IndexOf(run);
        int completed = events.FindIndex(e => e is BuildStepCompleted && e.Step == run.Step);
        Assert.IsTrue(logs.All(l => events.IndexOf(l) > started && events.IndexOf(l) < completed));
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), ((BuildStepCompleted)events[completed]).Duration, "the step sleeps one second");

        var cat = events.OfType<BuildStepLog>().Single(e => e.Name == "[4/4] RUN cat /hello.txt");
        Assert.AreEqual("hello context", cat.Line);

        Assert.IsEmpty(events.OfType<BuildStepFailed>());
        Assert.AreEqual(8, progress.Steps.Count);
        Assert.IsTrue(progress.Steps.All(s => s.Error is null && s.Duration is not null));
        CollectionAssert.AreEqual(Enumerable.Range(1, 8).ToArray(), progress.Steps.Select(s => s.Step).ToArray());
        // Each step starts and completes exactly once although BuildKit re-sends vertices many times.
        Assert.AreEqual(8, events.OfType<BuildStepStarted>().Count());
        Assert.AreEqual(8, events.OfType<BuildStepStarted>().Select(e => e.Digest).Distinct().Count());
        Assert.AreEqual(8, events.OfType<BuildStepCompleted>().Count());
        CollectionAssert.Contains(
            events.OfType<BuildStepStatus>().Select(s => s.Id).ToArray(),
            "naming to docker.io/library/msctx-cap-ok");
    }

    [TestMethod]
    public void CapturedFailingRun_ReportsOutputThenTheError()
    {
        var (progress, events) = Replay("failing-run.jsonl");

        var failed = events.OfType<BuildStepFailed>().Single();
        Assert.AreEqual("[3/3] RUN echo \"before failure\" && echo \"oops on stderr\" >&2 && false", failed.Name);
        StringAssert.EndsWith(failed.Error, "exit code: 1");
        Assert.IsFalse(failed.Canceled);
        Assert.AreSame(failed, events[^1]);

        var logs = events.OfType<BuildStepLog>().Where(l => l.Step == failed.Step).Select(l => $"{l.Stream}:{l.Line}").ToArray();
        CollectionAssert.AreEqual(new[] { "Stdout:before failure", "Stderr:oops on stderr" }, logs);
        Assert.AreEqual(failed.Error, progress.Steps.Single(s => s.Step == failed.Step).Error);
        Assert.IsFalse(events.OfType<BuildStepCompleted>().Any(e => e.Step == failed.Step));
    }

    [TestMethod]
    public void CapturedRebuild_ReportsCachedSteps()
    {
        var (progress, events) = Replay("all-cached.jsonl");

        string[] cached = events.OfType<BuildStepCached>().Select(e => e.Name).ToArray();
        CollectionAssert.IsSubsetOf(
            new[] { "[2/4] COPY hello.txt /hello.txt", "[4/4] RUN cat /hello.txt" },
            cached);
        Assert.IsTrue(cached.Any(n => n.StartsWith("[3/4] RUN", StringComparison.Ordinal)));
        Assert.IsEmpty(events.OfType<BuildStepLog>());
        foreach (BuildStepCached hit in events.OfType<BuildStepCached>())
        {
            Assert.IsFalse(events.Skip(events.IndexOf(hit)).OfType<BuildStepCompleted>().Any(c => c.Step == hit.Step), hit.Name);
            Assert.IsTrue(progress.Steps.Single(s => s.Step == hit.Step).Cached);
        }
    }

    [TestMethod]
    public void LogChunksAreJoinedIntoLinesAcrossMessages()
    {
        var progress = new BuildKitProgress();
        byte[] euro = Encoding.UTF8.GetBytes("€");
        var events = new List<BuildStepEvent>();

        events.AddRange(progress.Apply(Response(Vertex("d1", "RUN x", started: 1))));
        events.AddRange(progress.Apply(Response(Log("d1", 1, Encoding.UTF8.GetBytes("price: ").Concat(euro.Take(1)).ToArray()))));
        events.AddRange(progress.Apply(Response(Log("d1", 1, euro.Skip(1).Concat(Encoding.UTF8.GetBytes("5\r\nsecond")).ToArray()))));
        events.AddRange(progress.Apply(Response(Log("d1", 2, Encoding.UTF8.GetBytes("err without newline")))));
        events.AddRange(progress.Apply(Response(Log("d1", 1, Encoding.UTF8.GetBytes(" line\n\nthird")))));
        events.AddRange(progress.Apply(Response(Vertex("d1", "RUN x", started: 1, completed: 3))));

        CollectionAssert.AreEqual(
            new[]
            {
                "Started RUN x",
                "Stdout price: €5",
                "Stdout second line",
                "Stdout ",
                "Stdout third",
                "Stderr err without newline",
                "Completed 00:00:02",
            },
            events.Select(Describe).ToArray());
    }

    [TestMethod]
    public void Flush_ReturnsPendingPartialLines()
    {
        var progress = new BuildKitProgress();
        progress.Apply(Response(Vertex("d1", "RUN x", started: 1)));
        Assert.IsEmpty(progress.Apply(Response(Log("d1", 1, Encoding.UTF8.GetBytes("tail")))));

        CollectionAssert.AreEqual(new[] { "Stdout tail" }, progress.Flush().Select(Describe).ToArray());
        Assert.IsEmpty(progress.Flush());
    }

    [TestMethod]
    public void RepeatedVertexUpdatesAreReportedOnce()
    {
        var progress = new BuildKitProgress();
        var events = new List<BuildStepEvent>();

        events.AddRange(progress.Apply(Response(Vertex("d1", "[1/2] FROM base"))));
        events.AddRange(progress.Apply(Response(Vertex("d1", "[1/2] FROM base", started: 1))));
        events.AddRange(progress.Apply(Response(Vertex("d1", "[1/2] FROM base", started: 1))));
        events.AddRange(progress.Apply(Response(Vertex("d1", "[1/2] FROM base", started: 1, completed: 2), Vertex("d2", "[2/2] COPY", cached: true, completed: 2))));
        events.AddRange(progress.Apply(Response(Vertex("d1", "[1/2] FROM base", started: 1, completed: 2), Vertex("d2", "[2/2] COPY", cached: true, completed: 2))));

        CollectionAssert.AreEqual(
            new[] { "Started [1/2] FROM base", "Started [2/2] COPY", "Cached [2/2] COPY", "Completed 00:00:01" },
            events.Select(Describe).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2 }, progress.Steps.Select(s => s.Step).ToArray());
    }

    [TestMethod]
    public void CanceledSiblingsAreMarkedCanceled()
    {
        var progress = new BuildKitProgress();
        progress.Apply(Response(Vertex("a", "RUN a", started: 1), Vertex("b", "RUN b", started: 1)));

        var events = progress.Apply(Response(
            Vertex("a", "RUN a", started: 1, completed: 2, error: "process \"/bin/sh -c a\" did not complete successfully: exit code: 2"),
            Vertex("b", "RUN b", started: 1, completed: 2, error: "context canceled")));

        var failures = events.OfType<BuildStepFailed>().ToArray();
        Assert.HasCount(2, failures);
        Assert.IsFalse(failures[0].Canceled);
        Assert.IsTrue(failures[1].Canceled);
    }

    [TestMethod]
    public void WarningsAndEarlyLogsOfUnknownVerticesAreKept()
    {
        var progress = new BuildKitProgress();
        var response = new StatusResponse();
        response.Logs.Add(Log("late", 1, Encoding.UTF8.GetBytes("early\n")));
        var warning = new VertexWarning { Vertex = "late", Level = 1, Short = ByteString.CopyFromUtf8("FromAsCasing: 'as' and 'FROM' keywords' casing do not match"), Url = "https://docs.example/rule" };
        warning.Detail.Add(ByteString.CopyFromUtf8("detail one"));
        response.Warnings.Add(warning);

        var events = progress.Apply(response);

        var log = (BuildStepLog)events[0];
        Assert.AreEqual(1, log.Step);
        Assert.AreEqual("early", log.Line);
        var warn = (BuildStepWarning)events[1];
        Assert.AreEqual(1, warn.Level);
        StringAssert.StartsWith(warn.Message, "FromAsCasing");
        CollectionAssert.AreEqual(new[] { "detail one" }, warn.Detail.ToArray());
        Assert.AreEqual("https://docs.example/rule", warn.Url);

        var named = progress.Apply(Response(Vertex("late", "[1/1] FROM x", started: 1)));
        Assert.AreEqual("[1/1] FROM x", named.OfType<BuildStepStarted>().Single().Name);
        Assert.AreEqual(1, named[0].Step);
    }

    [TestMethod]
    public void SchemaDecodesFieldsWrittenWithBuildKitNumbering()
    {
        // Vertex{digest=1:"sha256:x", name=3:"n", cached=4:true, error=7:"e", progressGroup=8:{id=1:"g"}} built by hand.
        byte[] vertex = new byte[] { 0x0A, 0x08 }.Concat(Encoding.ASCII.GetBytes("sha256:x"))
            .Concat(new byte[] { 0x1A, 0x01, (byte)'n', 0x20, 0x01, 0x3A, 0x01, (byte)'e', 0x42, 0x03, 0x0A, 0x01, (byte)'g' })
            .ToArray();
        byte[] message = new byte[] { 0x0A, (byte)vertex.Length }.Concat(vertex).ToArray();

        StatusResponse decoded = BuildKitProgress.DecodeTrace(Convert.ToBase64String(message));

        Vertex v = decoded.Vertexes.Single();
        Assert.AreEqual("sha256:x", v.Digest);
        Assert.AreEqual("n", v.Name);
        Assert.IsTrue(v.Cached);
        Assert.AreEqual("e", v.Error);
        Assert.AreEqual("g", v.ProgressGroup.Id);
    }

    [TestMethod]
    public void DecodeTrace_RejectsGarbage()
    {
        Assert.ThrowsExactly<FormatException>(() => BuildKitProgress.DecodeTrace("not base64!"));
        Assert.ThrowsExactly<FormatException>(() => BuildKitProgress.DecodeTrace(Convert.ToBase64String(new byte[] { 0x0A, 0x05, 0x01 })));
    }

    private static (BuildKitProgress Progress, List<BuildStepEvent> Events) Replay(string file)
    {
        var progress = new BuildKitProgress();
        var events = new List<BuildStepEvent>();
        int traces = 0;
        foreach (string line in File.ReadLines(ContextTestSupport.TestDataPath("buildkit", file)))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("id", out JsonElement id) && id.GetString() == BuildKitProgress.TraceMessageId)
            {
                traces++;
                events.AddRange(progress.ApplyTrace(document.RootElement.GetProperty("aux").GetString()!));
            }
        }

        events.AddRange(progress.Flush());
        Assert.IsGreaterThan(5, traces, file);
        return (progress, events);
    }

    private static string Describe(BuildStepEvent e) => e switch
    {
        BuildStepStarted s => "Started " + s.Name,
        BuildStepCached c => "Cached " + c.Name,
        BuildStepLog l => $"{l.Stream} {l.Line}",
        BuildStepCompleted c => "Completed " + c.Duration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        BuildStepFailed f => "Failed " + f.Error,
        _ => e.ToString(),
    };

    private static StatusResponse Response(params Vertex[] vertices)
    {
        var response = new StatusResponse();
        response.Vertexes.Add(vertices);
        return response;
    }

    private static StatusResponse Response(VertexLog log)
    {
        var response = new StatusResponse();
        response.Logs.Add(log);
        return response;
    }

    private static Vertex Vertex(string digest, string name, int? started = null, int? completed = null, bool cached = false, string error = "")
    {
        var vertex = new Vertex { Digest = digest, Name = name, Cached = cached, Error = error };
        if (started is not null)
        {
            vertex.Started = new Timestamp { Seconds = 1_700_000_000 + started.Value };
        }

        if (completed is not null)
        {
            vertex.Completed = new Timestamp { Seconds = 1_700_000_000 + completed.Value };
        }

        return vertex;
    }

    private static VertexLog Log(string digest, long stream, byte[] data) =>
        new() { Vertex = digest, Stream = stream, Msg = ByteString.CopyFrom(data), Timestamp = new Timestamp() };
}
