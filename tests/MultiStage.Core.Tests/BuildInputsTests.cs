using MultiStage.Generation;
using MultiStage.Inputs;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>
/// The context holds what the builds read (issue cases: a signing key named by a property, a NuGet.config above the
/// projects, a packed README at the root, an .editorconfig above the projects, linked sources), each file outside the
/// project folders copied alone, and says which it cannot hold.
/// </summary>
[TestClass]
public sealed class BuildInputsTests
{
    /// <summary>The repository laid out as the examples: projects under src/, the rest at the root.</summary>
    private static (RepoFixture Repo, ProjectFacts Project) SrcRepository()
    {
        var repo = new RepoFixture();
        File.Delete(repo.P("Directory.Build.props"));
        File.Delete(repo.P("Directory.Packages.props"));
        File.Delete(repo.P("global.json"));
        repo.Write("localpkgs/Pkg.1.0.0.nupkg", "zip");
        repo.Write("NuGet.config", "<configuration><packageSources><add key=\"repository\" value=\"localpkgs\" /></packageSources></configuration>");
        repo.Write("Key.snk", "key");
        repo.Write("README.md", "# readme");
        repo.Write("src/Directory.Build.props", "<Project />");
        var project = repo.Project() with
        {
            Closure = new[]
            {
                new ProjectNode
                {
                    ProjectPath = repo.P("src/App/App.csproj"),
                    References = new[] { repo.P("src/Lib/Lib.csproj") },
                    Imports = new[] { repo.P("src/Directory.Build.props") },
                    SourceFiles = new[] { repo.P("src/App/Program.cs") },
                    OutputDirectories = new[] { repo.P("src/App/obj"), repo.P("src/App/bin") },
                },
                new ProjectNode
                {
                    ProjectPath = repo.P("src/Lib/Lib.csproj"),
                    Imports = new[] { repo.P("src/Directory.Build.props") },
                    SourceFiles = new[] { repo.P("src/Lib/Class.cs") },
                    ReadFiles = new[]
                    {
                        new BuildRead(repo.P("Key.snk"), "property AssemblyOriginatorKeyFile of Lib.csproj", true),
                        new BuildRead(repo.P("README.md"), "None item of Lib.csproj", true),
                    },
                },
            },
        };
        return (repo, project);
    }

    [TestMethod]
    public void FilesAboveTheProjectsAreCopiedOneByOneAndTheRootGrowsToHoldThem()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            var layout = ContextPlanner.Plan(project, null, repo.ExternalRoots, new TestLog())!;
            Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, layout.Root);
            // Never the repository root as a source folder: only the project folders, and the files one by one.
            CollectionAssert.AreEqual(new[] { "src/Lib/", "src/App/" }, layout.SourceFolders.ToArray());
            CollectionAssert.AreEqual(new[] { "Key.snk", "README.md" }, layout.OtherFiles.ToArray());
            // The root NuGet.config restore reads and the folder feed it names.
            CollectionAssert.AreEqual(new[] { new NuGetConfigPlacement(repo.P("NuGet.config"), "NuGet.config") }, layout.NuGetConfigs.ToArray());
            CollectionAssert.Contains(layout.RestoreInputs.ToList(), "localpkgs/");
        }
    }

    [TestMethod]
    public void ANuGetConfigAtTheRepositoryRootIsFoundFromProjectsBelowIt()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            // Nothing but the NuGet.config lies above src/: without it the context would be src/.
            var bare = project with { Closure = project.Closure.Select(n => n with { ReadFiles = Array.Empty<BuildRead>() }).ToList() };
            var layout = ContextPlanner.Plan(bare, null, repo.ExternalRoots, new TestLog())!;
            Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, layout.Root);
            Assert.AreEqual("NuGet.config", layout.NuGetConfigs.Single().Target);

            // Without a repository there is no way to know where NuGet's walk stops being the project's: src/ as before.
            var noRepository = ContextPlanner.Plan(bare with { RepositoryRoot = null }, null, repo.ExternalRoots, new TestLog())!;
            Assert.AreEqual(repo.P("src") + Path.DirectorySeparatorChar, noRepository.Root);
        }
    }

    [TestMethod]
    public void EditorConfigsAboveTheProjectsUpToTheRepositoryRootAreCopiedAndOnesAboveItWarn()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            repo.Write(".editorconfig", "root = true");
            repo.Write("src/.globalconfig", "is_global = true");
            repo.Write("src/App/.editorconfig", "[*.cs]");
            File.WriteAllText(Path.Combine(repo.Outer, ".editorconfig"), "[*]");
            var log = new TestLog();
            var layout = ContextPlanner.Plan(project, null, repo.ExternalRoots, log)!;
            // The one inside a project folder comes with the folder.
            CollectionAssert.AreEqual(new[] { ".editorconfig", "Key.snk", "README.md", "src/.globalconfig" }, layout.OtherFiles.ToArray());
            Assert.AreEqual("MSTAGE177", string.Join(",", log.Warnings.Select(w => w.Code)));
            StringAssert.Contains(log.Warnings[0].Message, Path.Combine(repo.Outer, ".editorconfig"));
        }
    }

    [TestMethod]
    public void TheNearestResponseFileIsARestoreInput()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            repo.Write("Directory.Build.rsp", "-p:A=1");
            repo.Write("src/Directory.Build.rsp", "-p:A=2");
            var layout = ContextPlanner.Plan(project, null, repo.ExternalRoots, new TestLog())!;
            CollectionAssert.Contains(layout.RestoreInputs.ToList(), "src/Directory.Build.rsp");
            CollectionAssert.DoesNotContain(layout.RestoreInputs.Concat(layout.OtherFiles).ToList(), "Directory.Build.rsp");
        }
    }

    [TestMethod]
    public void AFileOutsideTheRepositoryNamedByAPropertyIsAWarningNamingTheFileAndTheProperty()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            var outside = Path.Combine(repo.Outer, "keys", "Company.snk");
            Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
            File.WriteAllText(outside, "key");
            var reading = project with
            {
                Closure = project.Closure.Select(n => n with
                {
                    ReadFiles = n.ReadFiles.Append(new BuildRead(outside, "property AssemblyOriginatorKeyFile of " + Path.GetFileName(n.ProjectPath), true))
                        // The general rule's catches outside the repository are dropped silently: they may be look-alikes.
                        .Append(new BuildRead(Path.Combine(repo.Outer, "NuGet.config"), "property SomethingElse", false)).ToList(),
                }).ToList(),
            };
            var log = new TestLog();
            var layout = ContextPlanner.Plan(reading, null, repo.ExternalRoots, log)!;
            Assert.AreEqual(repo.Root + Path.DirectorySeparatorChar, layout.Root);
            Assert.AreEqual(1, log.Warnings.Count, string.Join("\n", log.Warnings));
            Assert.AreEqual("MSTAGE177", log.Warnings[0].Code);
            StringAssert.Contains(log.Warnings[0].Message, outside);
            StringAssert.Contains(log.Warnings[0].Message, "property AssemblyOriginatorKeyFile of App.csproj");
        }
    }

    [TestMethod]
    public void AnExplicitRootThatMissesAFileTheBuildReadsIsAnErrorNamingWhatReadsIt()
    {
        var (repo, project) = SrcRepository();
        using (repo)
        {
            var log = new TestLog();
            Assert.IsNull(ContextPlanner.Plan(project, repo.P("src"), repo.ExternalRoots, log));
            Assert.AreEqual("MSTAGE114", log.ErrorCodes);
            StringAssert.Contains(log.Errors[0].Message, "Key.snk");
            StringAssert.Contains(log.Errors[0].Message, "AssemblyOriginatorKeyFile");
        }
    }

    /// <summary>What the property rule catches and what it misses (docs/build-context.md says the same).</summary>
    [TestMethod]
    public void ThePropertyRuleCatchesFileValuesAndMissesEverythingElse()
    {
        using var repo = new RepoFixture();
        repo.Write("Key.snk", "key");
        repo.Write("src/App/app.ico", "icon");
        repo.Write("config/rules.json", "{}");
        var properties = new Dictionary<string, string>
        {
            ["AssemblyOriginatorKeyFile"] = "../../Key.snk",
            ["ApplicationIcon"] = "app.ico",
            // Caught by the general rule: any value, or ';'-separated part, that resolves to an existing file.
            ["MyToolConfig"] = "x;..\\..\\config\\rules.json",
            // Missed: a folder, a file named inside a longer value (a command line), a glob, a file that does not exist
            // yet (generated by a target), and a file relative to another folder than the project's.
            ["ConfigFolder"] = "../../config",
            ["ToolArguments"] = "--rules ../../config/rules.json",
            ["Pattern"] = "../../config/*.json",
            ["Generated"] = "obj/generated.json",
            ["RelativeToRoot"] = "config/rules.json",
        };
        var reads = FileReferences.FromProperties(repo.P("src/App/App.csproj"), properties).ToList();
        CollectionAssert.AreEquivalent(
            new[]
            {
                new BuildRead(repo.P("Key.snk"), "property AssemblyOriginatorKeyFile of App.csproj", true),
                new BuildRead(repo.P("src/App/app.ico"), "property ApplicationIcon of App.csproj", true),
                new BuildRead(repo.P("config/rules.json"), "property MyToolConfig of App.csproj", false),
            },
            reads);
    }

    [TestMethod]
    public void ItemsNameFilesByIncludeAndHintPath()
    {
        using var repo = new RepoFixture();
        repo.Write("lib/Vendor.dll", "dll");
        var items = new (string, string, Func<string, string>)[]
        {
            ("Compile", "../../shared/Linked.cs", _ => ""),
            ("Reference", "Vendor", m => m == "HintPath" ? "../../lib/Vendor.dll" : ""),
            ("PackageReference", "Humanizer", _ => ""),
            ("Compile", "**/*.g.cs", _ => ""),
        };
        var reads = FileReferences.FromItems(repo.P("src/App/App.csproj"), items).Select(r => r.Path).ToList();
        CollectionAssert.AreEquivalent(new[] { repo.P("shared/Linked.cs"), repo.P("lib/Vendor.dll") }, reads);
    }
}
