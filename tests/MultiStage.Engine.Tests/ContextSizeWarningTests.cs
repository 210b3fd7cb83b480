using MultiStage.Engine.Client;
using MultiStage.Engine.Context;

namespace MultiStage.Engine.Tests;

/// <summary>A context larger than MultiStageContextSizeWarning warns once, naming its largest files and how to leave them out.</summary>
[TestClass]
public sealed class ContextSizeWarningTests
{
    private static void WriteSparse(TempDirectory dir, string relative, long size)
    {
        var full = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var stream = File.Create(full);
        stream.SetLength(size);
    }

    private static async Task<TestLog> SendAsync(TempDirectory dir, long threshold)
    {
        var log = new TestLog();
        var context = new DirectoryBuildContext(dir.Path) { SizeWarningThreshold = threshold, Log = log };
        await context.WriteTarAsync(Stream.Null, CancellationToken.None);
        return log;
    }

    [TestMethod]
    public async Task ALargeContextWarnsWithItsFiveLargestFilesLargestFirst()
    {
        using var dir = new TempDirectory();
        dir.Write("Dockerfile", "FROM scratch\n");
        WriteSparse(dir, "data/dump.bin", 3_000_000);
        WriteSparse(dir, "video.mp4", 5_000_000);
        WriteSparse(dir, "a.bin", 1_000_000);
        WriteSparse(dir, "b.bin", 1_000_000);
        WriteSparse(dir, "db/app.sqlite", 2_000_000);
        WriteSparse(dir, "small.bin", 10_000);

        var log = await SendAsync(dir, 10_000_000);

        var warning = log.Entries.Single(e => e.Kind == "warning");
        Assert.AreEqual(EngineErrorCodes.LargeBuildContext, warning.Code);
        var named = new[] { "video.mp4 (5 MB)", "data/dump.bin (3 MB)", "db/app.sqlite (2 MB)", "a.bin (1 MB)", "b.bin (1 MB)" };
        var positions = named.Select(n => warning.Message.IndexOf(n, StringComparison.Ordinal)).ToList();
        Assert.IsTrue(positions.All(p => p >= 0), warning.Message);
        CollectionAssert.AreEqual(positions.Order().ToList(), positions, "largest first, then by path: " + warning.Message);
        Assert.IsFalse(warning.Message.Contains("small.bin", StringComparison.Ordinal), "only five files are named");
        StringAssert.Contains(warning.Message, "<MultiStageDockerIgnore Include=\"video.mp4\" />");
        StringAssert.Contains(warning.Message, "MultiStageContextSizeWarning");
    }

    [TestMethod]
    public async Task OnlyWhatIsSentCounts()
    {
        using var dir = new TempDirectory();
        dir.Write("Dockerfile", "FROM scratch\n");
        dir.Write(".dockerignore", "backups\n");
        WriteSparse(dir, "backups/full.tar", 50_000_000);
        WriteSparse(dir, "app.dll", 1_000_000);

        var log = await SendAsync(dir, 10_000_000);

        Assert.IsFalse(log.Entries.Any(e => e.Kind == "warning"), log.All);
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(60_000_000L)]
    public async Task NoWarningWhenTurnedOffOrBelowTheSize(long threshold)
    {
        using var dir = new TempDirectory();
        dir.Write("Dockerfile", "FROM scratch\n");
        WriteSparse(dir, "big.bin", 50_000_000);

        var log = await SendAsync(dir, threshold);

        Assert.IsFalse(log.Entries.Any(e => e.Kind == "warning"), log.All);
    }

    [TestMethod]
    [DataRow("", ContextSizeWarning.DefaultThreshold)]
    [DataRow("0", 0L)]
    [DataRow("123", 123L)]
    [DataRow("150MB", 150_000_000L)]
    [DataRow("150 mb", 150_000_000L)]
    [DataRow("1.5GB", 1_500_000_000L)]
    [DataRow("512MiB", 536_870_912L)]
    [DataRow("64KiB", 65_536L)]
    [DataRow("2000B", 2000L)]
    public void SizesAreBytesOrHaveAUnit(string text, long bytes)
    {
        Assert.AreEqual(bytes, ContextSizeWarning.ParseThreshold(text));
    }

    [TestMethod]
    [DataRow("lots")]
    [DataRow("-5")]
    [DataRow("10 parsecs")]
    [DataRow("MB")]
    [DataRow("99999999999999GB")]
    public void AnythingElseIsACodedErrorNamingTheProperty(string text)
    {
        var error = Assert.ThrowsExactly<EngineException>(() => ContextSizeWarning.ParseThreshold(text));
        Assert.AreEqual(EngineErrorCodes.InvalidRequest, error.Code);
        StringAssert.Contains(error.Message, "MultiStageContextSizeWarning");
        StringAssert.Contains(error.Message, text);
    }
}
