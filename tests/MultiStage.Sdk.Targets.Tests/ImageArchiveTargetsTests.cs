using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>ContainerArchiveOutputPath and ContainerImageFormat where no engine is needed to judge them.</summary>
[TestClass]
public sealed class ImageArchiveTargetsTests
{
    private const string NoEngine = "MultiStageDockerHost=unix:///run/multistage-no-such.sock";

    [TestMethod]
    public void AnArchiveWithoutTheImageBuildIsAWarningThatSaysHow()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerArchiveOutputPath=out/app.tar.gz").EnsureSuccess();

        var line = outcome.Output.Split('\n').SingleOrDefault(l => l.Contains("MSTAGE158", StringComparison.Ordinal));
        Assert.IsNotNull(line, outcome.Output);
        StringAssert.Contains(line, "MultiStageBuildImage=true");
        StringAssert.Contains(line, "docker save -o out/app.tar.gz");
        Assert.IsFalse(outcome.Output.Contains("MSTAGE153", StringComparison.Ordinal), "no longer unsupported");
    }

    /// <summary>A saved archive in the project's folder is no source: the Dockerfile is the same before and after it exists.</summary>
    [TestMethod]
    [DataRow("out/app.tar.gz", "out/app.tar.gz")]
    [DataRow("out/", "out/consoleapp.tar.gz")]
    public void AnArchiveInTheProjectFolderDoesNotChangeTheDockerfile(string value, string file)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        InProcessBuild.Run(workspace.ProjectPath, "MultiStageGenerateDockerfile", "ContainerArchiveOutputPath=" + value).EnsureSuccess();
        var before = File.ReadAllText(workspace.Dockerfile);
        Directory.CreateDirectory(Path.Combine(workspace.Root, "out"));
        File.WriteAllText(Path.Combine(workspace.Root, file), "an image archive");

        InProcessBuild.Run(workspace.ProjectPath, "MultiStageGenerateDockerfile", "ContainerArchiveOutputPath=" + value).EnsureSuccess();

        Assert.AreEqual(before, File.ReadAllText(workspace.Dockerfile));
        Assert.IsFalse(before.Contains("out/", StringComparison.Ordinal), before);
    }

    [TestMethod]
    public void AFormatWithoutAnArchiveIsAWarningOnly()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerImageFormat=OCI").EnsureSuccess();
        StringAssert.Contains(outcome.Output, "MSTAGE242");

        var withArchive = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerImageFormat=OCI", "ContainerArchiveOutputPath=out/").EnsureSuccess();
        Assert.IsFalse(withArchive.Output.Contains("MSTAGE242", StringComparison.Ordinal), withArchive.Output);
    }

    [TestMethod]
    public void AnUnknownFormatIsAnErrorBeforeAnyEngineIsAsked()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "MultiStageBuildImage=true", NoEngine, "ContainerImageFormat=oci-archive", "ContainerArchiveOutputPath=out/app.tar");

        Assert.IsFalse(outcome.Succeeded);
        StringAssert.Contains(outcome.Output, "MSTAGE241");
        StringAssert.Contains(outcome.Output, "'oci-archive'");
        Assert.IsFalse(outcome.Output.Contains("MSTAGE200", StringComparison.Ordinal), "refused before the engine is looked for");
        Assert.IsFalse(Directory.Exists(Path.Combine(workspace.Root, "out")));
    }
}
