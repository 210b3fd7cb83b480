using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>How the targets prepare an image build in the engine, short of building one (no engine needed).</summary>
[TestClass]
public sealed class EngineTargetsTests
{
    [TestMethod]
    public void TheEngineWarmUpSkipsDesignTimeBuilds()
    {
        var workspace = Workspace.Create("console", restore: false);
        string WarmUp(params string[] extra) => InProcessBuild.Run(workspace.ProjectPath, "_MultiStageWarmUpEngine", new[]
        {
            "MultiStageInnerLoop=true", "MultiStageBuildImage=true", "MultiStageDockerHost=unix:///run/multistage-no-such.sock",
        }.Concat(extra).ToArray()).EnsureSuccess().Targets["_MultiStageWarmUpEngine"];

        Assert.AreEqual("Success", WarmUp());
        Assert.AreEqual("Skipped", WarmUp("DesignTimeBuild=true"));
    }

    /// <summary>The property side; that no second MSBuild node starts is seen only in a real multi-node run (MultiStage.Sdk.Tests).</summary>
    [TestMethod]
    public void AnEngineBuildWalksTheRestoreGraphInOneNode()
    {
        var workspace = Workspace.Create("multiproject", restore: false);
        string Property(params string[] properties) => InProcessBuild.Property(workspace.ProjectPath, "RestoreBuildInParallel", properties);

        Assert.AreEqual("true", Property());
        Assert.AreEqual("false", Property("MultiStageBuildImage=true"));
        Assert.AreEqual("true", Property("MultiStageBuildImage=true", "MultiStageInnerLoop=true"), "the inner loop compiles on the host");
        Assert.AreEqual("true", Property("MultiStageBuildImage=true", "MultiStageSingleNodeRestore=false"));
    }
}
