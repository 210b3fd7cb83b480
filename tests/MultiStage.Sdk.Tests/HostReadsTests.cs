using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// Sufficiency against what the host build actually read (issue 19): the host's own build of a test asset writes a
/// binlog, and every file inside the repository that its compiler was given or that MSBuild loaded as a project or an
/// import must be in the build context as the engine client sends it. Build output (bin/, obj/) is the build's own.
/// </summary>
[TestClass]
public sealed class HostReadsTests
{
    [TestMethod]
    [DataRow("inputs", "src/App", new[] { "src/App/App.csproj", "src/App/Program.cs", "src/Lib/Greeting.cs", "src/Directory.Build.props", "Shared/BuildInfo.cs", "Key.snk", ".editorconfig" })]
    [DataRow("razor", "", new[] { "RazorApp.csproj", "Program.cs", "Pages/Index.cshtml", "Pages/_ViewImports.cshtml" })]
    public void EveryFileTheHostBuildReadInTheRepositoryIsInTheBuildContext(string asset, string appFolder, string[] surelyRead)
    {
        var root = TestEnvironment.CreateWorkspace(asset);
        Git(root, "init", "-q");
        var app = Path.Combine(root, appFolder);
        TestEnvironment.DotNet(app, "build", "-t:ContainerizeMultiStage", "-nologo").EnsureSuccess();
        Assert.IsTrue(File.Exists(Path.Combine(root, "Dockerfile")), "the build context is the repository root");
        var context = BuildContextFiles.AsSent(root).ToHashSet(StringComparer.Ordinal);

        // Outside the repository, so the binlog is no file of it.
        var binlog = Path.Combine(Path.GetDirectoryName(root)!, asset + ".binlog");
        TestEnvironment.DotNet(app, "build", "-c", "Release", "-nologo", "-p:MultiStageGenerateOnPublish=false", "-bl:" + binlog).EnsureSuccess();
        var reads = HostBuildReads.From(binlog);
        var inRepository = reads.All.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("../", StringComparison.Ordinal) && !Path.IsPathRooted(f) && !IsBuildOutput(f))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        // The comparison sees what it must: without these, the binlog was not read right and the test would prove nothing.
        CollectionAssert.IsSubsetOf(surelyRead, inRepository, "read by the host build: " + string.Join(", ", inRepository));
        var missing = inRepository.Where(f => !context.Contains(f)).ToList();
        Assert.IsEmpty(missing, $"read by the host build but not in the build context: {string.Join(", ", missing)}\ncontext: {string.Join(", ", context.Order(StringComparer.Ordinal))}");
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Split('/').Any(segment => segment is "bin" or "obj");

    private static void Git(string dir, params string[] arguments) =>
        ProcessRunner.Run("git", arguments, dir, timeout: TimeSpan.FromMinutes(1)).EnsureSuccess();
}
