using MultiStage.Diagnostics;
using MultiStage.Generation;
using MultiStage.IO;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>
/// What the generator writes: only inside the build context, never over a file or folder of the user's, and a run
/// that fails (a refused value, a full disk) leaves every file either as it was or complete.
/// </summary>
[TestClass]
public sealed class FileSafetyTests
{
    private static GenerationResult? Generate(RepoFixture repo, ContainerSettings settings, TestLog log, ProjectFacts? project = null) =>
        Generator.Generate(project ?? repo.Project(), settings, repo.ExternalRoots, checkOnly: false, log);

    /// <summary>Every file below the fixture's outer folder (the repository and what surrounds it), by path, with its bytes.</summary>
    private static Dictionary<string, string> Snapshot(RepoFixture repo) =>
        Directory.EnumerateFiles(repo.Outer, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f.Substring(repo.Outer.Length), f => Convert.ToBase64String(File.ReadAllBytes(f)));

    private static void AssertUnchanged(Dictionary<string, string> before, RepoFixture repo, string because)
    {
        var after = Snapshot(repo);
        CollectionAssert.AreEquivalent(before.Keys.ToList(), after.Keys.ToList(), because);
        foreach (var pair in before)
        {
            Assert.AreEqual(pair.Value, after[pair.Key], $"{pair.Key} changed: {because}");
        }
    }

    [TestMethod]
    public void AHandWrittenDockerfileIsLeftAloneUntilTakenOver()
    {
        using var repo = new RepoFixture();
        repo.Write("Dockerfile", "FROM alpine\nRUN echo mine\n");
        var before = Snapshot(repo);
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings(), log));
        Assert.AreEqual(ErrorCodes.DockerfileNotGenerated, log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, "MultiStageDockerfile");
        StringAssert.Contains(log.Errors[0].Message, "MultiStageOverwriteDockerfile=true");
        AssertUnchanged(before, repo, "a refused run writes nothing");

        Assert.IsNotNull(Generate(repo, repo.Settings() with { OverwriteDockerfile = "true" }, new TestLog()));
        Assert.IsTrue(FileOwnership.IsGenerated(File.ReadAllText(repo.P("Dockerfile"))));
        // Taken over once, the file carries the header and is the generator's from then on.
        Assert.IsNotNull(Generate(repo, repo.Settings(), new TestLog()));
    }

    [TestMethod]
    public void ADockerfilePathNamingASourceFileNeverOverwritesIt()
    {
        using var repo = new RepoFixture();
        var before = Snapshot(repo);
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings() with { DockerfilePath = repo.P("src/App/Program.cs") }, log));
        Assert.AreEqual(ErrorCodes.DockerfileNotGenerated, log.ErrorCodes);
        AssertUnchanged(before, repo, "Program.cs is the user's");
    }

    [TestMethod]
    public void AStateFolderWithoutTheMarkerIsTheUsersAndFeedNeedsNone()
    {
        using var repo = new RepoFixture();
        repo.Write(".multistage/notes.txt", "mine");
        var before = Snapshot(repo);
        var log = new TestLog();
        Assert.IsNull(Generate(repo, repo.Settings(), log));
        Assert.AreEqual(ErrorCodes.StateFolderNotGenerated, log.ErrorCodes);
        AssertUnchanged(before, repo, "nothing is vendored into the user's folder");
        Assert.IsNotNull(Generate(repo, repo.Settings() with { SdkSource = "Feed" }, new TestLog()), "nothing to vendor, nothing written there");
        Assert.AreEqual("mine", File.ReadAllText(repo.P(".multistage/notes.txt")));
    }

    [TestMethod]
    public void EveryDockerfilePathThatIsNotOneFileInsideTheContextIsRefused()
    {
        using var repo = new RepoFixture();
        var before = Snapshot(repo);
        foreach (var path in new[]
        {
            repo.P("src"), "/", repo.P("src") + "/", repo.P("src/App/Program.cs") + ";" + repo.P("src/Lib/Class.cs"),
            repo.P("Docker\0file"), repo.P("Docker\nfile"), Path.Combine(repo.Outer, "Dockerfile"), repo.P(".dockerignore"), repo.P(".multistage/Dockerfile"),
        })
        {
            var log = new TestLog();
            Assert.IsNull(Generate(repo, repo.Settings() with { DockerfilePath = path }, log), path);
            Assert.AreEqual(ErrorCodes.InvalidDockerfilePath, log.ErrorCodes, path);
            Assert.IsFalse(log.Errors[0].Message.Contains('\0') || log.Errors[0].Message.Contains('\n'), "the message shows control characters, never writes them");
            AssertUnchanged(before, repo, path);
        }
    }

    [TestMethod]
    public void AContextRootAtTheFileSystemRootOrOutsideTheRepositoryIsRefused()
    {
        using var repo = new RepoFixture();
        var before = Snapshot(repo);
        foreach (var root in new[] { "/", Path.GetPathRoot(repo.Root)!, repo.Outer, repo.P("src") + ";" + repo.P("shared"), repo.Root + "\0", repo.Root + "\t" })
        {
            var log = new TestLog();
            Assert.IsNull(Generate(repo, repo.Settings() with { ContextRoot = root }, log), root);
            Assert.AreEqual(ErrorCodes.InvalidContextRoot, log.ErrorCodes, root);
            AssertUnchanged(before, repo, root);
        }

        Assert.IsNotNull(Generate(repo, repo.Settings() with { ContextRoot = repo.Root }, new TestLog()), "the repository root itself is fine");
    }

    [TestMethod]
    public void AFullDiskAtAnyWriteLeavesEachFileAsItWasOrComplete()
    {
        using var expected = new RepoFixture();
        // A second package file, so the disk can fill up between two files of the vendored folder.
        expected.Write("../packages/multistage.sdk/1.2.3/Sdk/Sdk.targets", "<Project />");
        Assert.IsNotNull(Generate(expected, expected.Settings(), new TestLog()));
        var complete = Snapshot(expected);

        var failures = 0;
        for (var writes = 0; ; writes++)
        {
            using var repo = new RepoFixture();
            repo.Write("../packages/multistage.sdk/1.2.3/Sdk/Sdk.targets", "<Project />");
            var before = Snapshot(repo);
            var log = new TestLog();
            GenerationResult? result;
            using (FileWrites.FailAfter(writes))
            {
                result = Generate(repo, repo.Settings(), log);
            }

            if (result is not null)
            {
                break;
            }

            failures++;
            Assert.AreEqual(ErrorCodes.WriteFailed, log.ErrorCodes);
            StringAssert.Contains(log.Errors[0].Message, repo.Root, "the error names what could not be written");
            var after = Snapshot(repo);
            foreach (var pair in after)
            {
                Assert.IsFalse(pair.Key.EndsWith(".tmp", StringComparison.Ordinal) || pair.Key.Contains(".tmp/") || pair.Key.Contains(".old/"), $"{pair.Key} left behind after write {writes}");
                var whole = before.TryGetValue(pair.Key, out var old) && old == pair.Value
                    || complete.TryGetValue(pair.Key, out var done) && done == pair.Value;
                Assert.IsTrue(whole, $"{pair.Key} is half-written after write {writes}");
            }

            var vendored = after.Keys.Where(k => k.Contains("/.multistage/packages/")).ToList();
            Assert.IsTrue(vendored.Count is 0 or 3, $"the vendored package is all there or not at all after write {writes}: {string.Join(", ", vendored)}");
            Assert.IsTrue(vendored.Count == 0 || after.ContainsKey("/repo/.multistage/.gitignore"), "a state folder holds its marker");
        }

        Assert.IsTrue(failures >= 4, $"the runs failed at {failures} writes: marker, two package files, .dockerignore, Dockerfile");
    }

    [TestMethod]
    public void AFullDiskWhileReplacingTheVendoredPackageKeepsTheOldOne()
    {
        using var repo = new RepoFixture();
        Assert.IsNotNull(Generate(repo, repo.Settings(), new TestLog()));
        File.WriteAllText(Path.Combine(repo.PackageDir, "Sdk", "Sdk.props"), "<Project><!-- newer --></Project>");
        var before = Snapshot(repo);
        var log = new TestLog();
        using (FileWrites.FailAfter(0))
        {
            Assert.IsNull(Generate(repo, repo.Settings(), log));
        }

        Assert.AreEqual(ErrorCodes.WriteFailed, log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, Path.Combine(repo.Root, WellKnownNames.StateFolder));
        AssertUnchanged(before, repo, "the old package stays whole and nothing temporary is left");
        Assert.IsNotNull(Generate(repo, repo.Settings(), new TestLog()));
        StringAssert.Contains(File.ReadAllText(repo.P(".multistage/packages/multistage.sdk/1.2.3/Sdk/Sdk.props")), "newer");
    }
}
