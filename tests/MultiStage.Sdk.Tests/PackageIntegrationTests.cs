using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>The packed SDK, consumed through &lt;Sdk Name="MultiStage.Sdk" /&gt; from a local feed; no engine needed.</summary>
[TestClass]
public sealed class PackageIntegrationTests
{
    private static ProcessResult Containerize(string dir, params string[] extra) =>
        TestEnvironment.DotNet(dir, new[] { "publish", "-t:ContainerizeMultiStage", "-nologo" }.Concat(extra).ToArray());

    [TestMethod]
    public void PackageHoldsTheSdkFilesAndTasksForBothMSBuildRuntimes()
    {
        using var zip = ZipFile.OpenRead(TestEnvironment.PackagePath);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        CollectionAssert.IsSubsetOf(
            new[] { "Sdk/Sdk.props", "Sdk/Sdk.targets", "tasks/net8.0/MultiStage.Tasks.dll", "tasks/net8.0/MultiStage.Core.dll", "tasks/net8.0/MultiStage.Engine.dll", "tasks/net8.0/Docker.DotNet.dll", "tasks/net472/MultiStage.Tasks.dll", "tasks/net472/MultiStage.Core.dll" },
            names);
        Assert.IsFalse(names.Any(n => Path.GetFileName(n).StartsWith("Microsoft.Build", StringComparison.Ordinal)), "MSBuild's own assemblies must not be bundled");
        var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
        StringAssert.Contains(nuspec, "<packageType name=\"MSBuildSdk\" />");

        // The .NET Framework build must really target .NET Framework (Visual Studio loads it in MSBuild.exe).
        using var entry = zip.GetEntry("tasks/net472/MultiStage.Tasks.dll")!.Open();
        var copy = new MemoryStream();
        entry.CopyTo(copy);
        copy.Position = 0;
        using var pe = new PEReader(copy);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
        CollectionAssert.Contains(references, "mscorlib");
        CollectionAssert.DoesNotContain(references, "System.Runtime");
    }

    [TestMethod]
    public void TheMSBuildOfDotNet10LoadsTheReadyToRunTasks()
    {
        using var zip = ZipFile.OpenRead(TestEnvironment.PackagePath);
        bool ReadyToRun(string name)
        {
            using var entry = zip.GetEntry(name)!.Open();
            var copy = new MemoryStream();
            entry.CopyTo(copy);
            copy.Position = 0;
            using var pe = new PEReader(copy);
            return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
        }

        foreach (var file in new[] { "MultiStage.Tasks.dll", "MultiStage.Core.dll", "MultiStage.Engine.dll", "Docker.DotNet.dll", "Google.Protobuf.dll" })
        {
            Assert.IsTrue(ReadyToRun("tasks/net10.0/" + file), "net10.0/" + file + " has ready-to-run code");
            Assert.IsFalse(ReadyToRun("tasks/net8.0/" + file), "net8.0/" + file + " is plain IL");
        }

        // One deps.json for every host: it names no runtime identifier.
        var deps = new StreamReader(zip.GetEntry("tasks/net10.0/MultiStage.Tasks.deps.json")!.Open()).ReadToEnd();
        StringAssert.Contains(deps, "\"name\": \".NETCoreApp,Version=v10.0\"");
        Assert.IsFalse(deps.Contains("linux-x64", StringComparison.Ordinal), deps);

        var dir = TestEnvironment.CreateWorkspace("console");
        var assembly = TestEnvironment.DotNet(dir, "msbuild", "-getProperty:_MultiStageTasksAssembly", "-nologo").EnsureSuccess().Output.Trim();
        StringAssert.EndsWith(assembly.Replace('\\', '/'), "/tasks/net10.0/MultiStage.Tasks.dll");
    }

    [TestMethod]
    public void TheEngineWarmUpSkipsDesignTimeBuilds()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        string WarmUp(params string[] extra) => TestEnvironment.DotNet(dir, new[]
        {
            "msbuild", "-restore", "-t:_MultiStageWarmUpEngine", "-getTargetResult:_MultiStageWarmUpEngine", "-nologo",
            "-p:MultiStageInnerLoop=true", "-p:MultiStageBuildImage=true", "-p:MultiStageDockerHost=unix:///run/multistage-no-such.sock",
        }.Concat(extra).ToArray()).EnsureSuccess().Output;

        StringAssert.Contains(WarmUp(), "\"Result\": \"Success\"");
        StringAssert.Contains(WarmUp("-p:DesignTimeBuild=true"), "\"Result\": \"Skipped\"");
    }

    [TestMethod]
    public void AnEngineBuildWalksTheRestoreGraphInOneNode()
    {
        var dir = Path.Combine(TestEnvironment.CreateWorkspace("multiproject"), "src", "App");
        string Property(params string[] extra) => TestEnvironment.DotNet(dir, new[] { "msbuild", "-nologo", "-getProperty:RestoreBuildInParallel" }.Concat(extra).ToArray()).EnsureSuccess().Output.Trim();

        Assert.AreEqual("true", Property());
        Assert.AreEqual("false", Property("-p:MultiStageBuildImage=true"));
        Assert.AreEqual("true", Property("-p:MultiStageBuildImage=true", "-p:MultiStageInnerLoop=true"), "the inner loop compiles on the host");
        Assert.AreEqual("true", Property("-p:MultiStageBuildImage=true", "-p:MultiStageSingleNodeRestore=false"));

        // What it is for: the three projects' restore evaluations stay in the first node, so no second one starts.
        string Restore(params string[] extra) => TestEnvironment.DotNet(dir, new[] { "msbuild", "-nologo", "-t:Restore", "-m:2", "-v:n", "-p:MultiStageBuildImage=true" }.Concat(extra).ToArray()).EnsureSuccess().Output;
        var single = Restore();
        StringAssert.Contains(single, "Lib.Core.csproj");
        Assert.IsFalse(single.Contains("on node 2", StringComparison.Ordinal), single);
        StringAssert.Contains(Restore("-p:MultiStageSingleNodeRestore=false"), "on node 2");
    }

    [TestMethod]
    public void ConsoleAppGetsARuntimeImageAndARerunWritesNothing()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var result = Containerize(dir).EnsureSuccess();
        var dockerfile = Path.Combine(dir, "Dockerfile");
        var text = File.ReadAllText(dockerfile);
        StringAssert.Contains(text, "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build");
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/runtime:10.0 AS final");
        StringAssert.Contains(text, "ENTRYPOINT [\"dotnet\", \"/app/ConsoleApp.dll\"]");
        StringAssert.Contains(text, "COPY [\"ConsoleApp.csproj\", \"global.json\", \"./\"]");
        Assert.IsFalse(text.Contains('\r'));
        Assert.IsTrue(File.Exists(Path.Combine(dir, ".dockerignore")));
        Assert.IsTrue(File.Exists(Path.Combine(dir, ".multistage", "packages", "multistage.sdk", TestEnvironment.SdkVersion, ".nupkg.metadata")), result.Output);

        var stamp = File.GetLastWriteTimeUtc(dockerfile);
        Thread.Sleep(1100);
        Containerize(dir).EnsureSuccess();
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(dockerfile), "an unchanged project must not rewrite the Dockerfile");
        Assert.AreEqual(text, File.ReadAllText(dockerfile));

        // CI mode: the committed file is current...
        Containerize(dir, "-p:MultiStageCheck=true").EnsureSuccess();
        // ...until the project changes.
        var csproj = Path.Combine(dir, "ConsoleApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", "  <ItemGroup>\n    <ContainerEnvironmentVariable Include=\"MODE\" Value=\"ci\" />\n  </ItemGroup>\n</Project>"));
        var check = Containerize(dir, "-p:MultiStageCheck=true");
        Assert.AreNotEqual(0, check.ExitCode);
        StringAssert.Contains(check.Output, "MSTAGE113");
        Assert.AreEqual(text, File.ReadAllText(dockerfile), "check mode writes nothing");
        Containerize(dir).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(dockerfile), "ENV MODE=\"ci\"");
    }

    [TestMethod]
    public void PlainPublishRefreshesTheDockerfileUnlessSwitchedOff()
    {
        var dir = TestEnvironment.CreateWorkspace("webapi");
        TestEnvironment.DotNet(dir, "publish", "-nologo", "-p:MultiStageGenerateOnPublish=false").EnsureSuccess();
        Assert.IsFalse(File.Exists(Path.Combine(dir, "Dockerfile")));
        TestEnvironment.DotNet(dir, "publish", "-nologo").EnsureSuccess();
        var text = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final");
        StringAssert.Contains(text, "EXPOSE 8080/tcp");
        StringAssert.Contains(text, "USER $APP_UID");
    }

    [TestMethod]
    public void MultiProjectRestoreLayerComesFromTheProjectGraph()
    {
        var dir = TestEnvironment.CreateWorkspace("multiproject");
        Containerize(Path.Combine(dir, "src", "App")).EnsureSuccess();
        var text = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(text, "COPY [\"Directory.Build.props\", \"Directory.Build.targets\", \"Directory.Packages.props\", \"NuGet.config\", \"global.json\", \"./\"]");
        StringAssert.Contains(text, "COPY [\"build/common.props\", \"build/\"]");
        StringAssert.Contains(text, "COPY [\"packages/\", \"packages/\"]");
        StringAssert.Contains(text, "COPY [\"src/App/App.csproj\", \"src/App/\"]");
        StringAssert.Contains(text, "COPY [\"src/Lib.Core/Lib.Core.csproj\", \"src/Lib.Core/\"]");
        StringAssert.Contains(text, "COPY [\"src/Lib.Formatting/Lib.Formatting.csproj\", \"src/Lib.Formatting/\"]");
        StringAssert.Contains(text, "    dotnet restore src/App/App.csproj -a ");
        StringAssert.Contains(text, "COPY [\"src/Lib.Core/\", \"src/Lib.Core/\"]\nCOPY [\"src/Lib.Formatting/\", \"src/Lib.Formatting/\"]\nCOPY [\"src/App/\", \"src/App/\"]\n");
        Assert.IsFalse(text.Contains("tests/"), "the test project is outside the closure:\n" + text);
        Assert.IsFalse(text.Contains("obj/"), text);

        // A rerun with nothing changed takes the closure from its cache and skips planning...
        var rerun = Containerize(Path.Combine(dir, "src", "App"), "-v:d").EnsureSuccess();
        StringAssert.Contains(rerun.Output, "ProjectReference closure unchanged since the last run");
        StringAssert.Contains(rerun.Output, "is up to date: nothing it is generated from changed since the last run");
        // ...but not when a parameter differs, or an output it stamped is gone.
        Containerize(Path.Combine(dir, "src", "App"), "-p:ContainerUser=1000").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "\nUSER \"1000\"\n");
        File.Delete(Path.Combine(dir, "Dockerfile"));
        Containerize(Path.Combine(dir, "src", "App")).EnsureSuccess();
        Assert.AreEqual(text, File.ReadAllText(Path.Combine(dir, "Dockerfile")));
        // ...and a new import that only MSBuild's walk up finds (named nowhere) still reaches the restore layer.
        File.WriteAllText(Path.Combine(dir, "src", "Lib.Core", "Directory.Build.props"), "<Project>\n  <Import Project=\"../../Directory.Build.props\" />\n</Project>\n");
        Containerize(Path.Combine(dir, "src", "App")).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "COPY [\"src/Lib.Core/Directory.Build.props\", \"src/Lib.Core/Lib.Core.csproj\", \"src/Lib.Core/\"]");
    }

    [TestMethod]
    public void AUserDockerignoreIsKeptButItsDangerousPatternsAreReported()
    {
        var dir = TestEnvironment.CreateWorkspace("multiproject");
        const string mine = "# team rules\n*.props\n**/bin/\n";
        File.WriteAllText(Path.Combine(dir, ".dockerignore"), mine);
        var result = TestEnvironment.DotNet(Path.Combine(dir, "src", "App"), "build", "-t:ContainerizeMultiStage", "-nologo").EnsureSuccess();
        Assert.AreEqual(mine, File.ReadAllText(Path.Combine(dir, ".dockerignore")), "a user-owned .dockerignore is never rewritten");
        StringAssert.Contains(result.Output, "warning MSTAGE151");
        StringAssert.Contains(result.Output, "excludes 'Directory.Build.props'");
        Assert.IsTrue(File.Exists(Path.Combine(dir, "Dockerfile")));
    }

    [TestMethod]
    public void NativeAotAppBuildsOnTheAotImageAndRunsOnChiseled()
    {
        var dir = TestEnvironment.CreateWorkspace("aot");
        // Generation alone needs no compile: a build of just the target, so the host needs no native toolchain.
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo").EnsureSuccess();
        var text = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(text, "mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build");
        StringAssert.Contains(text, "FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS final");
        StringAssert.Contains(text, "ENTRYPOINT [\"/app/AotApp\"]");
    }

    [TestMethod]
    public void IcuAppOnChiseledGetsTheExtraVariant()
    {
        var dir = TestEnvironment.CreateWorkspace("icu");
        Containerize(dir).EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "FROM mcr.microsoft.com/dotnet/runtime:10.0-noble-chiseled-extra AS final");
    }

    [TestMethod]
    public void UserMistakesAreCodedErrorsWithoutStackTracesOrFiles()
    {
        var cases = new (string Xml, string Code)[]
        {
            ("<ItemGroup><ContainerPort Include=\"70000\" Type=\"tcp\" /></ItemGroup>", "MSTAGE104"),
            ("<PropertyGroup><ContainerFamily>noble-chisled</ContainerFamily></PropertyGroup>", "MSTAGE105"),
            ("<PropertyGroup><ContainerBaseImage>Not A Valid:image</ContainerBaseImage></PropertyGroup>", "MSTAGE101"),
            ("<PropertyGroup><ContainerImageTags>1.0;bad tag</ContainerImageTags></PropertyGroup>", "MSTAGE102"),
            ("<ItemGroup><ContainerLabel Include=\"evil\" Value=\"x&#10;RUN rm -rf /\" /></ItemGroup>", "MSTAGE108"),
            ("<PropertyGroup><OutputType>Library</OutputType></PropertyGroup>", "MSTAGE107"),
            ("<PropertyGroup><TargetFrameworks>net10.0;net9.0</TargetFrameworks></PropertyGroup>", "MSTAGE106"),
        };
        foreach (var (xml, code) in cases)
        {
            var dir = TestEnvironment.CreateWorkspace("console");
            var csproj = Path.Combine(dir, "ConsoleApp.csproj");
            var project = File.ReadAllText(csproj);
            if (xml.Contains("<TargetFrameworks>"))
            {
                project = System.Text.RegularExpressions.Regex.Replace(project, "<TargetFramework>[^<]*</TargetFramework>", "");
            }

            File.WriteAllText(csproj, project.Replace("</Project>", xml + "\n</Project>"));
            var result = TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo");
            Assert.AreNotEqual(0, result.ExitCode, code);
            StringAssert.Contains(result.Output, $"error {code}:", result.Output);
            Assert.IsFalse(result.Output.Contains("   at "), "stack trace in output:\n" + result.Output);
            Assert.IsFalse(result.Output.Contains("Exception"), "exception in output:\n" + result.Output);
            Assert.IsFalse(File.Exists(Path.Combine(dir, "Dockerfile")), code);
        }
    }
}
