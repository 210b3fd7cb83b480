using MultiStage.Generation;

namespace MultiStage.Core.Tests;

/// <summary>What MultiStageCheck prints: a unified diff as diff -u prints one, and the property a stale file was made with.</summary>
[TestClass]
public sealed class DriftCheckTests
{
    [TestMethod]
    public void OneChangedLineIsAHunkWithThreeLinesOfContext()
    {
        var before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        var after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        Assert.AreEqual(
            "--- f (on disk)\n+++ f (generated now)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
            UnifiedDiff.Render("f", before, after));
    }

    [TestMethod]
    public void ChangesFarApartAreSeparateHunksAndNearOnesOne()
    {
        var before = string.Concat(Enumerable.Range(1, 20).Select(i => i + "\n"));
        var after = before.Replace("2\n3\n", "2\nthree\n", StringComparison.Ordinal).Replace("\n18\n", "\neighteen\n", StringComparison.Ordinal);
        var diff = UnifiedDiff.Render("f", before, after);
        StringAssert.Contains(diff, "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n");
        StringAssert.Contains(diff, "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");

        var near = before.Replace("\n3\n", "\nthree\n", StringComparison.Ordinal).Replace("\n8\n", "\neight\n", StringComparison.Ordinal);
        Assert.AreEqual(1, UnifiedDiff.Render("f", before, near).Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)), "changes 5 lines apart share a hunk");
    }

    [TestMethod]
    public void AMissingFileIsAllAdditionsAndEqualTextsNoDiff()
    {
        Assert.AreEqual("--- /dev/null (on disk)\n+++ f (generated now)\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.Render("f", null, "a\nb\n"));
        Assert.AreEqual("", UnifiedDiff.Render("f", "a\n", "a\n"));
    }

    [TestMethod]
    public void ALongDiffIsCut()
    {
        var after = string.Concat(Enumerable.Range(1, 500).Select(i => i + "\n"));
        var diff = UnifiedDiff.Render("f", "", after);
        Assert.AreEqual(UnifiedDiff.MaxLines + 1, diff.TrimEnd('\n').Split('\n').Length);
        StringAssert.EndsWith(diff, "… 443 more lines of diff\n");
    }

    [TestMethod]
    public void ADockerfileMadeWithAMirrorNamesTheMirror()
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Generator.Generate(repo.Project(), repo.Settings() with { BaseImageRegistry = "mirror.example:5000" }, repo.ExternalRoots, false, log);
        Assert.IsNull(Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, true, log));
        var error = log.Errors.Single();
        Assert.AreEqual("MSTAGE113", error.Code);
        StringAssert.Contains(error.Message, "generated with -p:MultiStageBaseImageRegistry=mirror.example:5000; this run has MultiStageBaseImageRegistry=(empty)");
        StringAssert.Contains(error.Message, "-FROM --platform=$BUILDPLATFORM mirror.example:5000/dotnet/sdk:10.0 AS build\n+FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build");
    }

    [TestMethod]
    public void ADockerfileMadeWithTheOtherSdkSourceNamesIt()
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, false, log);
        Assert.IsNull(Generator.Generate(repo.Project(), repo.Settings() with { SdkSource = "Feed" }, repo.ExternalRoots, true, log));
        StringAssert.Contains(log.Errors.Single().Message, "generated with -p:MultiStageSdkSource=Context; this run has MultiStageSdkSource=Feed");
    }

    [TestMethod]
    public void AnEditedProjectGetsNoPropertyBlamed()
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Generator.Generate(repo.Project(), repo.Settings(), repo.ExternalRoots, false, log);
        var edited = repo.Settings() with { EnvironmentVariables = new[] { new KeyValuePair<string, string>("MODE", "ci") } };
        Assert.IsNull(Generator.Generate(repo.Project(), edited, repo.ExternalRoots, true, log));
        var message = log.Errors.Single().Message;
        Assert.IsFalse(message.Contains("generated with", StringComparison.Ordinal), message);
        StringAssert.Contains(message, "+ENV MODE=\"ci\"");
    }
}
