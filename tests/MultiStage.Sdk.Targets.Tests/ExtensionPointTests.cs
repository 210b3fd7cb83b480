using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>The SDK's extension points (docs/extending.md): the task assembly, and the files imported before and after its targets.</summary>
[TestClass]
public sealed class ExtensionPointTests
{
    [TestMethod]
    public void TheTasksLoadFromMultiStageTasksAssemblyWhichDefaultsToThePackage()
    {
        var workspace = Workspace.Create("console", restore: false);
        var packaged = Path.Combine(StagedSdk.PackageDirectory, "tasks", "net8.0", "MultiStage.Tasks.dll");
        Assert.AreEqual(packaged, Path.GetFullPath(InProcessBuild.PropertyAsPackaged(workspace.ProjectPath, "MultiStageTasksAssembly")));

        // The staged package holds no tasks: by default the build looks for them there, and only there.
        var missing = InProcessBuild.RunAsPackaged(workspace.ProjectPath, "ContainerizeMultiStage");
        Assert.IsFalse(missing.Succeeded);
        StringAssert.Contains(missing.Output, packaged);

        // A project can point the tasks elsewhere itself.
        workspace.AddToProject($"  <PropertyGroup>\n    <MultiStageTasksAssembly>{TestEnvironment.TasksAssembly}</MultiStageTasksAssembly>\n  </PropertyGroup>");
        InProcessBuild.RunAsPackaged(workspace.ProjectPath, "ContainerizeMultiStage").EnsureSuccess();
        Assert.IsTrue(File.Exists(workspace.Dockerfile));
    }

    [TestMethod]
    public void TheFileBeforeTheTargetsPresetsDefaultsAndDependencies()
    {
        var workspace = Workspace.Create("console", restore: false);
        Write(workspace, "Directory.Build.props",
            "<Project>\n  <PropertyGroup>\n    <CustomBeforeMultiStageTargets>$(MSBuildThisFileDirectory)build/before.targets</CustomBeforeMultiStageTargets>\n  </PropertyGroup>\n</Project>\n");
        Write(workspace, "build/before.targets",
            "<Project>\n  <PropertyGroup>\n    <MultiStageConfiguration>Debug</MultiStageConfiguration>\n" +
            "    <ContainerizeMultiStageDependsOn>_TeamCheck</ContainerizeMultiStageDependsOn>\n  </PropertyGroup>\n" +
            "  <Target Name=\"_TeamCheck\">\n    <Message Importance=\"high\" Text=\"team check: $(MultiStageConfiguration)\" />\n  </Target>\n</Project>\n");

        var result = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage").EnsureSuccess();
        StringAssert.Contains(result.Output, "team check: Debug", "the preset DependsOn list is kept, and extended");
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), " -c Debug ", "a preset property is not overwritten by the default");
    }

    [TestMethod]
    public void TheFileAfterTheTargetsCanHookThem()
    {
        var workspace = Workspace.Create("console", restore: false);
        var after = Write(workspace, "build/after.targets",
            "<Project>\n  <Target Name=\"_TeamAfterGenerate\" AfterTargets=\"MultiStageGenerateDockerfile\">\n" +
            "    <Message Importance=\"high\" Text=\"generated: $(MultiStageGeneratedDockerfile)\" />\n  </Target>\n</Project>\n");

        var result = InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", "CustomAfterMultiStageTargets=" + after).EnsureSuccess();
        StringAssert.Contains(result.Output, "generated: " + workspace.Dockerfile);
        Assert.IsFalse(InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage").Output.Contains("generated: ", StringComparison.Ordinal), "imported only when named");
    }

    private static string Write(Workspace workspace, string relativePath, string text)
    {
        var path = Path.Combine(workspace.Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
