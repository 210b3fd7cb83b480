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

    /// <summary>An image build of the generated Dockerfile starts the client's warm-up with generation; nothing else does.</summary>
    [TestMethod]
    public void AnImageBuildWarmsTheEngineClientUpBeforeGeneration()
    {
        var workspace = Workspace.Create("console");
        // BeforeTargets' targets are not in the request's results: the task's own message tells that it ran.
        bool WarmedUp(params string[] properties) => InProcessBuild.Run(workspace.ProjectPath, "MultiStageGenerateDockerfile", new[]
        {
            "MultiStageDockerHost=unix:///run/multistage-no-such.sock",
        }.Concat(properties).ToArray()).EnsureSuccess().Output.Contains("Warming up the engine client", StringComparison.Ordinal);

        Assert.IsTrue(WarmedUp("MultiStageBuildImage=true"), "an unreachable engine does not fail the warm-up");
        Assert.IsFalse(WarmedUp());
        Assert.IsFalse(WarmedUp("MultiStageBuildImage=true", "DesignTimeBuild=true"));
        Assert.IsFalse(WarmedUp("MultiStageBuildImage=true", "MultiStageCheck=true"));
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

    /// <summary>
    /// An image build asks no engine while generating: the Dockerfile on disk is the same whatever answers (MultiStageCheck
    /// passes in CI), and the classic builder's rendering, for an engine without BuildKit, lands under obj/.
    /// </summary>
    [TestMethod]
    public void TheDockerfileOnDiskDoesNotDependOnTheEngine()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        BuildOutcome Generate(params string[] properties) => InProcessBuild.Run(workspace.ProjectPath, "MultiStageGenerateDockerfile", properties);
        string? Classic() => Directory.GetFiles(Path.Combine(workspace.Root, "obj"), "multistage.classic.Dockerfile", SearchOption.AllDirectories).SingleOrDefault();
        const string noEngine = "MultiStageDockerHost=unix:///run/multistage-no-such.sock";

        Generate().EnsureSuccess();
        var plain = File.ReadAllText(workspace.Dockerfile);
        Assert.IsNull(Classic(), "no image build, no classic rendering");

        Generate("MultiStageBuildImage=true", noEngine).EnsureSuccess();
        Assert.AreEqual(plain, File.ReadAllText(workspace.Dockerfile));
        var classic = File.ReadAllText(Classic()!);
        // A check passes, and leaves the classic rendering for the image build that follows it.
        File.Delete(Classic()!);
        Generate("MultiStageBuildImage=true", noEngine, "MultiStageCheck=true").EnsureSuccess();
        Assert.AreEqual(classic, File.ReadAllText(Classic()!));

        // The rendering under obj/ is what MultiStageBuilder=Classic writes to disk.
        Generate("MultiStageBuilder=Classic").EnsureSuccess();
        Assert.AreEqual(classic, File.ReadAllText(workspace.Dockerfile));
        Assert.IsFalse(classic.Contains("--platform") || classic.Contains("--mount"), classic);
    }
}
