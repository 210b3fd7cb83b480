using MultiStage.Core.Tests;
using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.IO;

namespace MultiStage.Hostile.Tests;

/// <summary>
/// Faults while writing: the Dockerfile is always a whole old one or a whole new one. (A cancelled image build putting
/// back the tag it moved is tested by MultiStage.Engine.Tests' EngineBuildTests.CancelledBuildPutsBackATagItMoved.)
/// </summary>
[TestClass]
public sealed class FaultTests
{
    /// <summary>
    /// What a process killed at any instant leaves is what a reader sees at that instant: a reader racing a writer that
    /// replaces a large file over and over must only ever see one whole version.
    /// </summary>
    [TestMethod]
    public void AReaderAtAnyInstantSeesAWholeFile()
    {
        using var repo = new RepoFixture();
        var path = repo.P("Dockerfile");
        var versions = new[] { new string('a', 4 << 20) + "\n", new string('b', 3 << 20) + "\n" };
        AtomicFile.WriteIfChanged(path, versions[0]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var writes = 0;
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                AtomicFile.WriteIfChanged(path, versions[++writes % 2]);
            }
        });

        var reads = 0;
        while (!writer.IsCompleted)
        {
            var text = File.ReadAllText(path);
            reads++;
            Assert.IsTrue(text == versions[0] || text == versions[1], $"read {reads} saw {text.Length} characters: a partial file");
        }

        writer.GetAwaiter().GetResult();
        Assert.IsTrue(writes > 2 && reads > 2, $"the writer and the reader raced ({writes} writes, {reads} reads)");
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(repo.Root).Where(f => Path.GetFileName(f).StartsWith(".Dockerfile", StringComparison.Ordinal) || f == path).ToArray(), "no temporary file is left");
    }

    /// <summary>A write that fails after the new text is on disk (here: the target is a folder) reports a code and leaves no temporary file.</summary>
    [TestMethod]
    public void AFailedWriteIsReportedAndLeavesNoTemporaryFile()
    {
        using var repo = new RepoFixture();
        Directory.CreateDirectory(repo.P("Dockerfile"));
        var log = new TestLog();
        Assert.IsNull(Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, checkOnly: false, log));
        Assert.AreEqual(ErrorCodes.WriteFailed, log.ErrorCodes);
        Assert.AreEqual(0, Directory.GetFiles(repo.Root, "*.tmp", SearchOption.AllDirectories).Length, "no temporary file is left");
    }

    /// <summary>Generation writes the Dockerfile last: when an earlier file fails, the previous Dockerfile stays as it was.</summary>
    [TestMethod]
    public void AFailedGenerationKeepsThePreviousDockerfile()
    {
        using var repo = new RepoFixture();
        var first = Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, checkOnly: false, new TestLog())!;
        File.Delete(repo.P(".dockerignore"));
        Directory.CreateDirectory(repo.P(".dockerignore"));
        var log = new TestLog();
        var changed = repo.Settings() with { ContainerUser = "1000" };
        Assert.IsNull(Generator.Generate(repo.Project(), changed, repo.ExternalRoots, checkOnly: false, log));
        Assert.AreEqual(ErrorCodes.WriteFailed, log.ErrorCodes);
        Assert.AreEqual(first.DockerfileText, File.ReadAllText(repo.P("Dockerfile")));
    }
}
