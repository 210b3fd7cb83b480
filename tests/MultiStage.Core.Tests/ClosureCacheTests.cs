using MultiStage.Incrementality;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

[TestClass]
public sealed class ClosureCacheTests
{
    private string _root = "";

    [TestInitialize]
    public void Create()
    {
        _root = Path.Combine(Path.GetTempPath(), "closure-cache-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_root, "repo", "src", "App"));
        Directory.CreateDirectory(Path.Combine(_root, "repo", "src", "Lib"));
        Directory.CreateDirectory(Path.Combine(_root, "repo", "build"));
        Directory.CreateDirectory(Path.Combine(_root, "repo", "shared"));
        // obj/ exists before generation runs (restore made it).
        Directory.CreateDirectory(Path.Combine(_root, "repo", "src", "App", "obj"));
        foreach (var file in new[] { "repo/src/App/App.csproj", "repo/src/Lib/Lib.csproj", "repo/build/common.props", "repo/Directory.Build.props", "repo/shared/Link.cs", "repo/global.json" })
        {
            File.WriteAllText(P(file), "<Project />");
        }

        // Every stamp must be older than the moment the closure is said to be evaluated.
        foreach (var path in Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Append(_root))
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        }
    }

    [TestCleanup]
    public void Delete() => Directory.Delete(_root, recursive: true);

    private string P(string relative) => Path.Combine(_root, relative);

    // Where the SDK keeps it: $(IntermediateOutputPath), below the obj/ folder that holds the restore output.
    private string CacheFile => P("repo/src/App/obj/Release/net10.0/multistage.closure.cache");

    private IReadOnlyList<ProjectNode> Closure() => new[]
    {
        new ProjectNode
        {
            ProjectPath = P("repo/src/App/App.csproj"),
            References = new[] { P("repo/src/Lib/Lib.csproj") },
            Imports = new[] { P("repo/Directory.Build.props"), P("repo/build/common.props") },
            SourceFiles = new[] { P("repo/src/App/Program.cs"), P("repo/shared/Link.cs") },
            OutputDirectories = new[] { P("repo/src/App/obj/") },
            LockFile = null,
        },
        new ProjectNode { ProjectPath = P("repo/src/Lib/Lib.csproj"), Imports = new[] { P("repo/Directory.Build.props") } },
    };

    private void Store() => Assert.IsTrue(ClosureCache.Write(CacheFile, "k1", Closure(), DateTime.UtcNow.AddMinutes(-1)));

    [TestMethod]
    public void AnUnchangedClosureIsReadBackAsWritten()
    {
        Store();
        var read = ClosureCache.TryRead(CacheFile, "k1");
        Assert.IsNotNull(read);
        Assert.AreEqual(2, read.Count);
        var app = read[0];
        Assert.AreEqual(P("repo/src/App/App.csproj"), app.ProjectPath);
        CollectionAssert.AreEqual(Closure()[0].References.ToList(), app.References.ToList());
        CollectionAssert.AreEqual(Closure()[0].Imports.ToList(), app.Imports.ToList());
        CollectionAssert.AreEqual(Closure()[0].SourceFiles.ToList(), app.SourceFiles.ToList());
        CollectionAssert.AreEqual(Closure()[0].OutputDirectories.ToList(), app.OutputDirectories.ToList());
        Assert.IsNull(app.LockFile);
        Assert.AreEqual(P("repo/src/Lib/Lib.csproj"), read[1].ProjectPath);
    }

    [TestMethod]
    public void AnotherKeyMissesTheCache()
    {
        Store();
        Assert.IsNull(ClosureCache.TryRead(CacheFile, "k2"));
    }

    [TestMethod]
    [DataRow("edit a project file")]
    [DataRow("edit an import")]
    [DataRow("add a file beside an import")]
    [DataRow("add a Directory.Build.props above a project")]
    [DataRow("add a lock file beside a project")]
    [DataRow("add a file in an out-of-project source folder")]
    [DataRow("add a global.json above a project")]
    [DataRow("edit a global.json above a project")]
    public void AnythingTheEvaluationReadInvalidatesIt(string change)
    {
        Store();
        Assert.IsNotNull(ClosureCache.TryRead(CacheFile, "k1"));
        switch (change)
        {
            case "edit a project file": File.WriteAllText(P("repo/src/Lib/Lib.csproj"), "<Project><PropertyGroup /></Project>"); break;
            case "edit an import": File.SetLastWriteTimeUtc(P("repo/build/common.props"), DateTime.UtcNow); break;
            case "add a file beside an import": File.WriteAllText(P("repo/build/local.props"), "<Project />"); break;
            case "add a Directory.Build.props above a project": File.WriteAllText(P("repo/src/Directory.Build.props"), "<Project />"); break;
            case "add a lock file beside a project": File.WriteAllText(P("repo/src/App/packages.lock.json"), "{}"); break;
            case "add a file in an out-of-project source folder": File.WriteAllText(P("repo/shared/More.cs"), ""); break;
            case "add a global.json above a project": File.WriteAllText(P("global.json"), "{}"); break;
            case "edit a global.json above a project": File.WriteAllText(P("repo/global.json"), "{ \"msbuild-sdks\": { \"MultiStage.Sdk\": \"2.0.0\" } }"); break;
        }

        Assert.IsNull(ClosureCache.TryRead(CacheFile, "k1"), change);
    }

    [TestMethod]
    public void ANewSubfolderBesideTheRestoreOutputKeepsIt()
    {
        // A Debug build after a Release publish creates obj/Debug/ next to the imported obj/*.nuget.g.props.
        var closure = Closure().Select(n => n.ProjectPath.EndsWith("App.csproj", StringComparison.Ordinal)
            ? n with { Imports = n.Imports.Append(P("repo/src/App/obj/App.csproj.nuget.g.props")).ToList() } : n).ToList();
        File.WriteAllText(P("repo/src/App/obj/App.csproj.nuget.g.props"), "<Project />");
        File.SetLastWriteTimeUtc(P("repo/src/App/obj/App.csproj.nuget.g.props"), DateTime.UtcNow.AddMinutes(-5));
        Assert.IsTrue(ClosureCache.Write(CacheFile, "k1", closure, DateTime.UtcNow.AddMinutes(-1)));
        Directory.CreateDirectory(P("repo/src/App/obj/Debug"));
        Assert.IsNotNull(ClosureCache.TryRead(CacheFile, "k1"));
    }

    [TestMethod]
    public void NothingIsStoredWhenAFileChangedDuringTheEvaluation()
    {
        var evaluatedAt = DateTime.UtcNow.AddMinutes(-1);
        File.SetLastWriteTimeUtc(P("repo/build/common.props"), DateTime.UtcNow);
        Assert.IsFalse(ClosureCache.Write(CacheFile, "k1", Closure(), evaluatedAt));
        Assert.IsFalse(File.Exists(CacheFile));
    }

    [TestMethod]
    public void ACorruptCacheIsIgnored()
    {
        Store();
        File.AppendAllText(CacheFile, "garbage line\n");
        Assert.IsNull(ClosureCache.TryRead(CacheFile, "k1"));
    }
}
