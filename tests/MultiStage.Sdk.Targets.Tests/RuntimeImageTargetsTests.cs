using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>The runtime stage's settings as a user gives them through MSBuild: the chiseled default's notice, environment from the command line, base-image labels.</summary>
[TestClass]
public sealed class RuntimeImageTargetsTests
{
    private static BuildOutcome Containerize(Workspace workspace, params string[] properties) =>
        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", properties);

    /// <summary>
    /// The default differs from PublishContainer's: the log says so once, at the importance the terminal logger shows
    /// (the minimal-verbosity output), when the Dockerfile is written, and names the way back.
    /// </summary>
    [TestMethod]
    public void TheChiseledDefaultIsNamedOnceWithTheWayBack()
    {
        var workspace = Workspace.Create("webapi");
        workspace.PinVersionInGlobalJson();
        var first = Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(first.Output, "where dotnet publish -t:PublishContainer uses mcr.microsoft.com/dotnet/aspnet:10.0");
        StringAssert.Contains(first.Output, "ContainerFamily");
        var rerun = Containerize(workspace).EnsureSuccess();
        Assert.IsFalse(rerun.Output.Contains("PublishContainer uses", StringComparison.Ordinal), "once, not on every run:\n" + rerun.Output);

        Containerize(workspace, "ContainerFamily=noble").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS final");
    }

    /// <summary>
    /// Both command-line forms: <c>'-p:ContainerEnvironmentVariables="A=1;B=2"'</c> (MSBuild keeps a quoted ';' in the
    /// value) and <c>-p:ContainerEnvironmentVariables=A=1%3BB=2</c> (the escaped separator).
    /// </summary>
    [TestMethod]
    [DataRow(";")]
    [DataRow("%3B")]
    public void EnvironmentVariablesFromTheCommandLineJoinTheItems(string separator)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        workspace.AddToProject("  <ItemGroup>\n    <ContainerEnvironmentVariable Include=\"B\" Value=\"item\" />\n    <ContainerEnvironmentVariable Include=\"C\" Value=\"3\" />\n  </ItemGroup>");
        Containerize(workspace, $"ContainerEnvironmentVariables=A=1{separator}B=x=y{separator}D=").EnsureSuccess();
        // By name; an item wins over the property for the same name; a value keeps every '=' after the first.
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "ENV A=\"1\" B=\"item\" C=\"3\" D=\"\"\n");
        workspace.EditProject(t => t.Replace("<ContainerEnvironmentVariable Include=\"B\" Value=\"item\" />", "", StringComparison.Ordinal));
        Containerize(workspace, $"ContainerEnvironmentVariables=A=1{separator}B=x=y").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "ENV A=\"1\" B=\"x=y\" C=\"3\"\n");
    }

    [TestMethod]
    public void BaseImageLabelFollowsMicrosoftsSwitches()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "\"org.opencontainers.image.base.name\"=\"mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra\"");
        Containerize(workspace, "ContainerGenerateLabelsImageBaseName=false").EnsureSuccess();
        Assert.IsFalse(File.ReadAllText(workspace.Dockerfile).Contains("base.name", StringComparison.Ordinal));
        Containerize(workspace, "ContainerGenerateLabels=false").EnsureSuccess();
        Assert.IsFalse(File.ReadAllText(workspace.Dockerfile).Contains("base.name", StringComparison.Ordinal));
    }
}
