using MultiStage.Sdk.Targets.Tests.Infrastructure;

namespace MultiStage.Sdk.Targets.Tests;

/// <summary>What generation writes, when it writes, and how it refuses, through the SDK's targets built in this process.</summary>
[TestClass]
public sealed class GenerationTests
{
    private static BuildOutcome Containerize(Workspace workspace, params string[] properties) =>
        InProcessBuild.Run(workspace.ProjectPath, "ContainerizeMultiStage", properties);

    [TestMethod]
    public void ConsoleAppGetsARuntimeImageAndARerunWritesNothing()
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        Containerize(workspace).EnsureSuccess();
        var text = File.ReadAllText(workspace.Dockerfile);
        StringAssert.Contains(text, "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build");
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra AS final");
        StringAssert.Contains(text, "ENTRYPOINT [\"dotnet\", \"/app/ConsoleApp.dll\"]");
        StringAssert.Contains(text, "COPY [\"ConsoleApp.csproj\", \"global.json\", \"./\"]");
        Assert.IsFalse(text.Contains('\r'));
        Assert.IsTrue(File.Exists(workspace.DockerIgnore));
        Assert.IsTrue(File.Exists(Path.Combine(workspace.Root, ".multistage", "packages", "multistage.sdk", StagedSdk.Version, ".nupkg.metadata")), "the running SDK package is vendored into the context");

        var stamp = File.GetLastWriteTimeUtc(workspace.Dockerfile);
        Thread.Sleep(1100);
        Containerize(workspace).EnsureSuccess();
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(workspace.Dockerfile), "an unchanged project must not rewrite the Dockerfile");
        Assert.AreEqual(text, File.ReadAllText(workspace.Dockerfile));

        // CI mode: the committed file is current...
        Containerize(workspace, "MultiStageCheck=true").EnsureSuccess();
        // ...until the project changes.
        workspace.AddToProject("  <ItemGroup>\n    <ContainerEnvironmentVariable Include=\"MODE\" Value=\"ci\" />\n  </ItemGroup>");
        var check = Containerize(workspace, "MultiStageCheck=true");
        Assert.IsFalse(check.Succeeded);
        StringAssert.Contains(check.Output, "MSTAGE113");
        Assert.AreEqual(text, File.ReadAllText(workspace.Dockerfile), "check mode writes nothing");
        Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "ENV MODE=\"ci\"");
    }

    /// <summary>
    /// Paths given on the command line that once crashed the task (MSB4018), wrote at the file-system root or over
    /// Program.cs: each is a coded error, and no file is written.
    /// </summary>
    [TestMethod]
    [DataRow("MultiStageDockerfile=@(Compile)", "MSTAGE128|MSTAGE130")]
    [DataRow("MultiStageDockerfile=/", "MSTAGE130")]
    [DataRow("MultiStageDockerfile=Docker%00file", "MSTAGE130")]
    [DataRow("MultiStageContextRoot=\\", "MSTAGE131")]
    [DataRow("MultiStageContextRoot=/", "MSTAGE131")]
    [DataRow("MultiStageContextRoot=.%00", "MSTAGE131")]
    public void HostilePathsAreCodedErrorsThatWriteNothing(string property, string codes)
    {
        var workspace = Workspace.Create("console");
        workspace.PinVersionInGlobalJson();
        var program = File.ReadAllText(Path.Combine(workspace.Root, "Program.cs"));
        var atRoot = File.Exists("/Dockerfile") || File.Exists("/.dockerignore");
        var outcome = Containerize(workspace, property);
        Assert.IsFalse(outcome.Succeeded, outcome.Output);
        Assert.IsTrue(codes.Split('|').Any(outcome.Output.Contains), outcome.Output);
        Assert.IsFalse(outcome.Output.Contains("MSB4018"), outcome.Output);
        Assert.AreEqual(program, File.ReadAllText(Path.Combine(workspace.Root, "Program.cs")));
        Assert.IsFalse(File.Exists(workspace.Dockerfile) || File.Exists(workspace.DockerIgnore), "nothing is written");
        Assert.AreEqual(atRoot, File.Exists("/Dockerfile") || File.Exists("/.dockerignore"), "nothing is written at the file-system root");
    }

    /// <summary>
    /// Publish is an empty stand-in here (CustomAfterMultiStageTargets replaces it): a real one compiles, and the SDK's
    /// deps.json task then needs a newer Microsoft.Extensions.DependencyModel than the test host has loaded. What is
    /// tested is this SDK's hook after whatever target is named Publish. (The web SDK's web.config transform, which
    /// also follows Publish, is switched off: it writes into a publish folder that the stand-in does not make.)
    /// </summary>
    [TestMethod]
    public void PlainPublishRefreshesTheDockerfileUnlessSwitchedOff()
    {
        var workspace = Workspace.Create("webapi", restore: false);
        var publish = Path.Combine(workspace.Root, "build", "publish-stand-in.targets");
        Directory.CreateDirectory(Path.GetDirectoryName(publish)!);
        File.WriteAllText(publish, "<Project>\n  <Target Name=\"Publish\" />\n</Project>\n");
        string[] standIn = { "CustomAfterMultiStageTargets=" + publish, "IsTransformWebConfigDisabled=true" };

        InProcessBuild.Run(workspace.ProjectPath, "Publish", standIn.Append("MultiStageGenerateOnPublish=false").ToArray()).EnsureSuccess();
        Assert.IsFalse(File.Exists(workspace.Dockerfile));
        InProcessBuild.Run(workspace.ProjectPath, "Publish", standIn).EnsureSuccess();
        var text = File.ReadAllText(workspace.Dockerfile);
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra AS final");
        StringAssert.Contains(text, "EXPOSE 8080/tcp");
        StringAssert.Contains(text, "USER $APP_UID");
    }

    [TestMethod]
    public void MultiProjectRestoreLayerComesFromTheProjectGraph()
    {
        var workspace = Workspace.Create("multiproject");
        workspace.PinVersionInGlobalJson();
        Containerize(workspace).EnsureSuccess();
        var text = File.ReadAllText(workspace.Dockerfile);
        StringAssert.Contains(text, "COPY [\"Directory.Build.props\", \"Directory.Build.targets\", \"Directory.Packages.props\", \"global.json\", \"./\"]");
        // The NuGet.config as rendered without secrets, copied to where restore looks for it.
        StringAssert.Contains(text, "COPY [\".multistage/nuget/nuget.config\", \"NuGet.config\"]");
        StringAssert.Contains(text, "COPY [\"build/common.props\", \"build/\"]");
        StringAssert.Contains(text, "COPY [\"packages/\", \"packages/\"]");
        StringAssert.Contains(text, "COPY [\"src/App/App.csproj\", \"src/App/\"]");
        StringAssert.Contains(text, "COPY [\"src/Lib.Core/Lib.Core.csproj\", \"src/Lib.Core/\"]");
        StringAssert.Contains(text, "COPY [\"src/Lib.Formatting/Lib.Formatting.csproj\", \"src/Lib.Formatting/\"]");
        StringAssert.Contains(text, "    dotnet restore src/App/App.csproj \\\n        -a $TARGETARCH \\\n");
        StringAssert.Contains(text, "COPY [\"src/Lib.Core/\", \"src/Lib.Core/\"]\nCOPY [\"src/Lib.Formatting/\", \"src/Lib.Formatting/\"]\nCOPY [\"src/App/\", \"src/App/\"]\n");
        Assert.IsFalse(text.Contains("tests/"), "the test project is outside the closure:\n" + text);
        Assert.IsFalse(text.Contains("obj/"), text);

        // A rerun with nothing changed takes the closure from its cache and skips planning...
        var rerun = Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(rerun.DetailedOutput, "ProjectReference closure unchanged since the last run");
        StringAssert.Contains(rerun.DetailedOutput, "is up to date: nothing it is generated from changed since the last run");
        // ...but not when a parameter differs, or an output it stamped is gone.
        Containerize(workspace, "ContainerUser=1000").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "\nUSER \"1000\"\n");
        File.Delete(workspace.Dockerfile);
        Containerize(workspace).EnsureSuccess();
        Assert.AreEqual(text, File.ReadAllText(workspace.Dockerfile));
        // ...and a new import that only MSBuild's walk up finds (named nowhere) still reaches the restore layer.
        File.WriteAllText(Path.Combine(workspace.Root, "src", "Lib.Core", "Directory.Build.props"), "<Project>\n  <Import Project=\"../../Directory.Build.props\" />\n</Project>\n");
        Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "COPY [\"src/Lib.Core/Directory.Build.props\", \"src/Lib.Core/Lib.Core.csproj\", \"src/Lib.Core/\"]");
    }

    [TestMethod]
    public void AUserDockerignoreIsKeptButItsDangerousPatternsAreReported()
    {
        var workspace = Workspace.Create("multiproject");
        const string mine = "# team rules\n*.props\n**/bin/\n";
        File.WriteAllText(workspace.DockerIgnore, mine);
        var result = Containerize(workspace).EnsureSuccess();
        Assert.AreEqual(mine, File.ReadAllText(workspace.DockerIgnore), "a user-owned .dockerignore is never rewritten");
        StringAssert.Contains(result.Output, "warning MSTAGE151");
        StringAssert.Contains(result.Output, "excludes 'Directory.Build.props'");
        Assert.IsTrue(File.Exists(workspace.Dockerfile));
    }

    [TestMethod]
    public void NativeAotAppBuildsOnTheAotImageAndRunsOnChiseled()
    {
        // Generation alone needs no compile (and no restore): a build of just the target, so the host needs no native toolchain.
        var workspace = Workspace.Create("aot", restore: false);
        Containerize(workspace).EnsureSuccess();
        var text = File.ReadAllText(workspace.Dockerfile);
        StringAssert.Contains(text, "mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build");
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS final");
        StringAssert.Contains(text, "ENTRYPOINT [\"/app/AotApp\"]");
    }

    [TestMethod]
    public void IcuAppOnChiseledGetsTheExtraVariant()
    {
        var workspace = Workspace.Create("icu", restore: false);
        Containerize(workspace).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(workspace.Dockerfile), "FROM mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra AS final");
    }

    [TestMethod]
    [DataRow("<ItemGroup><ContainerPort Include=\"70000\" Type=\"tcp\" /></ItemGroup>", "MSTAGE104")]
    [DataRow("<PropertyGroup><ContainerFamily>noble-chisled</ContainerFamily></PropertyGroup>", "MSTAGE105")]
    [DataRow("<PropertyGroup><ContainerBaseImage>Not A Valid:image</ContainerBaseImage></PropertyGroup>", "MSTAGE101")]
    [DataRow("<PropertyGroup><ContainerImageTags>1.0;bad tag</ContainerImageTags></PropertyGroup>", "MSTAGE102")]
    [DataRow("<ItemGroup><ContainerLabel Include=\"evil\" Value=\"x&#10;RUN rm -rf /\" /></ItemGroup>", "MSTAGE108")]
    [DataRow("<PropertyGroup><OutputType>Library</OutputType></PropertyGroup>", "MSTAGE107")]
    [DataRow("<ItemGroup><ContainerAppCommand Include=\"/bin/sh;-c;dotnet /app/ConsoleApp.dll\" /></ItemGroup>", "MSTAGE143")]
    [DataRow("<PropertyGroup><ContainerUser>www-data</ContainerUser></PropertyGroup>", "MSTAGE144")]
    [DataRow("<PropertyGroup><ContainerEnvironmentVariables>A=1;B</ContainerEnvironmentVariables></PropertyGroup>", "MSTAGE146")]
    [DataRow("<PropertyGroup><TargetFrameworks>net10.0;net9.0</TargetFrameworks></PropertyGroup>", "MSTAGE106")]
    public void UserMistakesAreCodedErrorsWithoutStackTracesOrFiles(string xml, string code)
    {
        // Not restored: the mistakes are the generator's to find, and a second framework would need its targeting pack.
        var workspace = Workspace.Create("console", restore: false);
        if (xml.Contains("<TargetFrameworks>", StringComparison.Ordinal))
        {
            workspace.EditProject(project => System.Text.RegularExpressions.Regex.Replace(project, "<TargetFramework>[^<]*</TargetFramework>", ""));
        }

        workspace.AddToProject(xml);
        var result = Containerize(workspace);
        Assert.IsFalse(result.Succeeded, code);
        StringAssert.Contains(result.Output, $"error {code}:", result.Output);
        Assert.IsFalse(result.Output.Contains("   at "), "stack trace in output:\n" + result.Output);
        Assert.IsFalse(result.Output.Contains("Exception"), "exception in output:\n" + result.Output);
        Assert.IsFalse(File.Exists(workspace.Dockerfile), code);
    }

    /// <summary>
    /// testassets/inputs: what the builds read outside the project folders (the key a property names, the README an item
    /// names, the linked source, the .editorconfig above) is copied file by file; the root NuGet.config and its feed are
    /// restore inputs; the test project and docs stay out of the context, the README the library reads stays in.
    /// </summary>
    [TestMethod]
    public void FilesTheBuildReadsOutsideTheProjectsAreCopiedOneByOne()
    {
        var workspace = Workspace.Create("inputs");
        Containerize(workspace).EnsureSuccess();
        var text = File.ReadAllText(workspace.Dockerfile);
        StringAssert.Contains(text, "COPY [\".editorconfig\", \"Key.snk\", \"README.md\", \"./\"]");
        StringAssert.Contains(text, "COPY [\"Shared/BuildInfo.cs\", \"Shared/\"]");
        StringAssert.Contains(text, "COPY [\"localpkgs/\", \"localpkgs/\"]");
        StringAssert.Contains(text, "COPY [\".multistage/nuget/nuget.config\", \"NuGet.config\"]");
        StringAssert.Contains(text, "COPY [\"src/Lib/\", \"src/Lib/\"]");
        Assert.IsFalse(text.Contains("COPY [\".\"", StringComparison.Ordinal), "the repository root is never copied whole");
        Assert.IsFalse(text.Contains("tests/", StringComparison.Ordinal), "the test project is not in the closure");

        var ignore = File.ReadAllLines(workspace.DockerIgnore);
        CollectionAssert.Contains(ignore, "tests/App.Tests/");
        CollectionAssert.Contains(ignore, "**/*.md");
        CollectionAssert.Contains(ignore, "!README.md");
    }
}
