using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ContextPlannerTests
{
    [TestMethod]
    public void RestoreInputsComeFromTheGraphAndStayInsideTheRepository()
    {
        using var repo = new RepoFixture();
        var layout = ContextPlanner.Plan(repo.Project(), null, repo.ExternalRoots, new TestLog())!;

        Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, layout.Root);
        CollectionAssert.AreEqual(
            new[]
            {
                "Directory.Build.props", "Directory.Packages.props", "build/common.props", "feed/", "global.json",
                "src/App/App.csproj", "src/App/packages.lock.json", "src/Lib/Lib.csproj",
            },
            layout.RestoreInputs.ToArray());
        // The NuGet.config goes in as its rendering, to where restore looks for it; the one above the repository stays out.
        CollectionAssert.AreEqual(new[] { new NuGetConfigPlacement(repo.P("NuGet.config"), "NuGet.config") }, layout.NuGetConfigs.ToArray());
        Assert.AreEqual("src/App/App.csproj", layout.EntryProject);
    }

    [TestMethod]
    public void SourcesAreCopiedDependenciesFirstAndTheTestProjectIsLeftOut()
    {
        using var repo = new RepoFixture();
        var layout = ContextPlanner.Plan(repo.Project(), null, repo.ExternalRoots, new TestLog())!;
        CollectionAssert.AreEqual(new[] { "src/Lib/", "src/App/" }, layout.SourceFolders.ToArray());
        // The linked source outside the project folders is copied alone, never its folder.
        CollectionAssert.AreEqual(new[] { "shared/Linked.cs" }, layout.OtherFiles.ToArray());
        Assert.IsFalse(layout.RestoreInputs.Concat(layout.SourceFolders).Concat(layout.OtherFiles).Any(p => p.StartsWith("tests/", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void ContextRootIsTheSmallestFolderHoldingEverything()
    {
        using var repo = new RepoFixture();
        var single = repo.Project() with
        {
            Closure = new[]
            {
                new ProjectNode { ProjectPath = repo.P("src/Lib/Lib.csproj"), SourceFiles = new[] { repo.P("src/Lib/Class.cs") } },
            },
            ProjectPath = repo.P("src/Lib/Lib.csproj"),
        };
        // Without a repository nothing says the NuGet.config and global.json above belong to the project.
        var layout = ContextPlanner.Plan(single with { RepositoryRoot = null }, null, repo.ExternalRoots, new TestLog())!;
        Assert.AreEqual(repo.P("src/Lib") + Path.DirectorySeparatorChar, layout.Root);
        CollectionAssert.AreEqual(new[] { "Lib.csproj" }, layout.RestoreInputs.ToArray());
        CollectionAssert.AreEqual(new[] { "" }, layout.SourceFolders.ToArray());

        // In the repository, restore reads the root's NuGet.config and the SDK resolver its global.json: the root holds them.
        var inRepository = ContextPlanner.Plan(single, null, repo.ExternalRoots, new TestLog())!;
        Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, inRepository.Root);
        CollectionAssert.AreEqual(new[] { "feed/", "global.json", "src/Lib/Lib.csproj" }, inRepository.RestoreInputs.ToArray());
        CollectionAssert.AreEqual(new[] { "src/Lib/" }, inRepository.SourceFolders.ToArray());
    }

    [TestMethod]
    public void AnExplicitRootTooNarrowIsAnError()
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Assert.IsNull(ContextPlanner.Plan(repo.Project(), repo.P("src"), repo.ExternalRoots, log));
        Assert.AreEqual("MSTAGE114", log.ErrorCodes);
    }

    [TestMethod]
    public void WithoutARepositoryTheGraphStillBoundsTheContext()
    {
        using var repo = new RepoFixture();
        var layout = ContextPlanner.Plan(repo.Project() with { RepositoryRoot = null }, null, repo.ExternalRoots, new TestLog())!;
        Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, layout.Root);
        Assert.IsFalse(layout.RestoreInputs.Any(p => p.StartsWith("..", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void DependencyOrderIsTopologicalWithTheEntryLast()
    {
        var nodes = new[]
        {
            new ProjectNode { ProjectPath = "/r/a/A.csproj", References = new[] { "/r/c/C.csproj", "/r/b/B.csproj" } },
            new ProjectNode { ProjectPath = "/r/b/B.csproj", References = new[] { "/r/c/C.csproj" } },
            new ProjectNode { ProjectPath = "/r/c/C.csproj" },
        };
        var order = ContextPlanner.OrderDependenciesFirst(nodes, "/r/a/A.csproj").Select(n => Path.GetFileName(n.ProjectPath)).ToArray();
        CollectionAssert.AreEqual(new[] { "C.csproj", "B.csproj", "A.csproj" }, order);
    }
}
