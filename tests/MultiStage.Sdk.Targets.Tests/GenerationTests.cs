using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>What generation writes and when, through the SDK's targets and tasks built in this process.</summary>
[TestClass]
public sealed class GenerationTests
{
    private static BuildOutcome Containerize(Workspace workspace, params string[] properties) =>
        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", properties);

    [TestMethod]
    public void Smoke()
    {
        var workspace = Workspace.Create("console");
        InProcessBuild.Restore(workspace.ProjectPath);
        Containerize(workspace).EnsureSuccess();
        Console.WriteLine(File.ReadAllText(workspace.Dockerfile));
    }
}
