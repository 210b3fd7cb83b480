using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>
/// The restore `dotnet publish` runs before the headline command (HostRestore.targets): skipped only when nothing it
/// reads changed since the last generation, and never with an effect on the Dockerfile.
/// </summary>
[TestClass]
public sealed class HostRestoreTests
{
    /// <summary>The global properties of the headline command, `dotnet publish -t:ContainerizeMultiStage -p:MultiStageBuildImage=true`.</summary>
    private static readonly string[] Headline = { "_IsPublishing=true", "MultiStageBuildImage=true" };

    private const string Skipped = "Host restore skipped";

    [TestMethod]
    [DataRow("console")]
    [DataRow("webapi")]
    [DataRow("worker")]
    [DataRow("multiproject")]
    [DataRow("aot")]
    [DataRow("selfcontained")]
    [DataRow("icu")]
    [DataRow("inputs")]
    [DataRow("razor")]
    public void TheDockerfileIsTheSameWithAndWithoutTheHostRestore(string asset)
    {
        var workspace = Workspace.Create(asset, restore: false);
        var assetsFile = InProcessBuild.Property(workspace.ProjectPath, "ProjectAssetsFile", Headline);
        var withoutRestore = Generate(workspace);

        // Never restored: the closure cache that generation wrote does not stand for a restore.
        var first = InProcessBuild.Restore(workspace.ProjectPath, Headline);
        StringAssert.DoesNotMatch(first.Output, new System.Text.RegularExpressions.Regex(Skipped));
        Assert.IsTrue(File.Exists(assetsFile), "NuGet's restore ran:\n" + first.Output);
        var withRestore = Generate(workspace);
        CollectionAssert.AreEqual(withoutRestore, withRestore, $"{asset}: the host restore changed the Dockerfile");

        var second = InProcessBuild.Restore(workspace.ProjectPath, Headline);
        StringAssert.Contains(second.Output, Skipped);
        CollectionAssert.AreEqual(withRestore, Generate(workspace), $"{asset}: the Dockerfile after a skipped restore differs");
    }

    [TestMethod]
    public void AChangedProjectFileRestoresAgainAndTheSwitchKeepsEveryRestore()
    {
        var workspace = Workspace.Create("console", restore: false);
        InProcessBuild.Restore(workspace.ProjectPath, Headline);
        Generate(workspace);
        StringAssert.Contains(InProcessBuild.Restore(workspace.ProjectPath, Headline).Output, Skipped);

        File.SetLastWriteTimeUtc(workspace.ProjectPath, DateTime.UtcNow.AddSeconds(5));
        var afterEdit = InProcessBuild.Restore(workspace.ProjectPath, Headline);
        Assert.IsFalse(afterEdit.Output.Contains(Skipped, StringComparison.Ordinal), afterEdit.Output);
        StringAssert.Contains(afterEdit.Output, "Restored " + workspace.ProjectPath);

        // Outside the headline command (no image build), and with the closure cache off, NuGet's restore always runs.
        Generate(workspace);
        Assert.IsFalse(InProcessBuild.Restore(workspace.ProjectPath, "_IsPublishing=true").Output.Contains(Skipped, StringComparison.Ordinal));
        Assert.IsFalse(InProcessBuild.Restore(workspace.ProjectPath, "_IsPublishing=true", "MultiStageBuildImage=true", "MultiStageClosureCache=false").Output.Contains(Skipped, StringComparison.Ordinal));
    }

    /// <summary>Generation as the headline command's build runs it, without building the image: the Dockerfile's bytes.</summary>
    private static byte[] Generate(Workspace workspace)
    {
        InProcessBuild.Run(workspace.ProjectPath, "MultiStageGenerateDockerfile", Headline).EnsureSuccess();
        return File.ReadAllBytes(workspace.Dockerfile);
    }
}
