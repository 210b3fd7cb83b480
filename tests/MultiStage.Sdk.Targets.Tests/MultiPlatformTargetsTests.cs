using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>ContainerRuntimeIdentifiers in the targets, short of building (no engine needed).</summary>
[TestClass]
public sealed class MultiPlatformTargetsTests
{
    private const string TwoPlatforms = "ContainerRuntimeIdentifiers=linux-x64%3Blinux-arm64";
    private const string NoEngine = "MultiStageDockerHost=unix:///run/multistage-no-such.sock";

    /// <summary>The build stage publishes for TARGETARCH: one Dockerfile serves every platform, and no warning is left.</summary>
    [TestMethod]
    public void TheDockerfileIsTheSameForEveryPlatform()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();

        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage").EnsureSuccess();
        var single = File.ReadAllText(workspace.Dockerfile);
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", TwoPlatforms).EnsureSuccess();

        Assert.AreEqual(single, File.ReadAllText(workspace.Dockerfile));
        StringAssert.Contains(single, "-a $TARGETARCH");
        Assert.IsFalse(outcome.Output.Contains("MSTAGE153", StringComparison.Ordinal), outcome.Output);
    }

    /// <summary>As in Microsoft's targets, musl RIDs choose the Alpine image, and musl mixed with glibc is refused.</summary>
    [TestMethod]
    public void MuslRuntimeIdentifiersChooseAlpine()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();

        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerRuntimeIdentifiers=linux-musl-x64%3Blinux-musl-arm64").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "-alpine");

        var mixed = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerRuntimeIdentifiers=linux-x64%3Blinux-musl-arm64");
        Assert.IsFalse(mixed.Succeeded);
        StringAssert.Contains(mixed.Output, "MSTAGE112");
    }

    [TestMethod]
    [DataRow("MultiStagePlatform=linux/arm64", "MultiStagePlatform (linux/arm64) both name")]
    [DataRow("MultiStageBuilder=Classic", "MultiStageBuilder is Classic")]
    public void SettingsOfASinglePlatformBuildAreMstage160(string setting, string expected)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();

        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", TwoPlatforms, "MultiStageBuildImage=true", NoEngine, setting);

        Assert.IsFalse(outcome.Succeeded);
        var line = outcome.Output.Split('\n').FirstOrDefault(l => l.Contains("MSTAGE160", StringComparison.Ordinal));
        Assert.IsNotNull(line, outcome.Output);
        StringAssert.Contains(line, expected);
        Assert.IsFalse(outcome.Output.Contains("MSTAGE200", StringComparison.Ordinal), "refused before the engine is asked: " + outcome.Output);
    }

    [TestMethod]
    [DataRow("linux-arm64")]
    [DataRow("linux-arm64%3Blinux-arm64")]
    public void OnePlatformIsNoConflict(string runtimeIdentifiers)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();

        // One RID (named once or twice) builds one image: with MultiStagePlatform the build goes on, to the (missing) engine.
        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerRuntimeIdentifiers=" + runtimeIdentifiers, "MultiStageBuildImage=true", NoEngine, "MultiStagePlatform=linux/arm64");

        Assert.IsFalse(outcome.Output.Contains("MSTAGE160", StringComparison.Ordinal), outcome.Output);
        StringAssert.Contains(outcome.Output, "MSTAGE200");
    }

    [TestMethod]
    public void ARuntimeIdentifierWithoutALinuxPlatformIsMstage159()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();

        var outcome = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "ContainerRuntimeIdentifiers=linux-x64%3Blinux-x86", "MultiStageBuildImage=true", NoEngine);

        Assert.IsFalse(outcome.Succeeded);
        StringAssert.Contains(outcome.Output, "MSTAGE159");
        StringAssert.Contains(outcome.Output, "'linux-x86' names an architecture");
        Assert.IsFalse(outcome.Output.Contains("MSTAGE200", StringComparison.Ordinal), "refused before the engine is asked: " + outcome.Output);
    }
}
