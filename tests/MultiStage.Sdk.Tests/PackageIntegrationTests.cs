using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The packed SDK, consumed through &lt;Sdk Name="MultiStage.Sdk" /&gt; from a local feed; no engine needed. Only what a
/// package or a real dotnet process shows is here; what the targets generate is tested in-process, without packing, by
/// MultiStage.Sdk.Targets.Tests.
/// </summary>
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
        var assembly = TestEnvironment.DotNet(dir, "msbuild", "-getProperty:MultiStageTasksAssembly", "-nologo").EnsureSuccess().Output.Trim();
        StringAssert.EndsWith(assembly.Replace('\\', '/'), "/tasks/net10.0/MultiStage.Tasks.dll");
    }

    /// <summary>The property side is tested in-process (MultiStage.Sdk.Targets.Tests); a second node only starts in a real multi-node build.</summary>
    [TestMethod]
    public void AnEngineBuildWalksTheRestoreGraphInOneNode()
    {
        var dir = Path.Combine(TestEnvironment.CreateWorkspace("multiproject"), "src", "App");

        // The three projects' restore evaluations stay in the first node, so no second one starts.
        string Restore(params string[] extra) => TestEnvironment.DotNet(dir, new[] { "msbuild", "-nologo", "-t:Restore", "-m:2", "-v:n", "-p:MultiStageBuildImage=true" }.Concat(extra).ToArray()).EnsureSuccess().Output;
        var single = Restore();
        StringAssert.Contains(single, "Lib.Core.csproj");
        Assert.IsFalse(single.Contains("on node 2", StringComparison.Ordinal), single);
        StringAssert.Contains(Restore("-p:MultiStageSingleNodeRestore=false"), "on node 2");
    }

    [TestMethod]
    public void TheRestoredPackageIsVendoredIntoTheContext()
    {
        var dir = TestEnvironment.CreateWorkspace("console");
        var result = Containerize(dir).EnsureSuccess();
        Assert.IsTrue(File.Exists(Path.Combine(dir, ".multistage", "packages", "multistage.sdk", TestEnvironment.SdkVersion, ".nupkg.metadata")), result.Output);
        // Copied into NuGet's packages folder of the build stage, where NuGet's SDK resolver finds the version the project names.
        var dockerfile = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(dockerfile, "ENV NUGET_PACKAGES=\"/nuget/packages\"");
        StringAssert.Contains(dockerfile, "COPY [\".multistage/packages/\", \"/nuget/packages/\"]");
    }

    [TestMethod]
    public void AFolderNameWithATabIsNamedWithTheCharacter()
    {
        var root = TestEnvironment.CreateWorkspace("multiproject");
        var app = Path.Combine(root, "src", "My\tApp");
        Directory.Move(Path.Combine(root, "src", "App"), app);
        var result = Containerize(app);
        Assert.AreNotEqual(0, result.ExitCode);
        StringAssert.Contains(result.Output, "error MSTAGE108:", result.Output);
        StringAssert.Contains(result.Output, "src/My\\tApp/App.csproj", result.Output);
        StringAssert.Contains(result.Output, "a tab (U+0009)", result.Output);
        Assert.IsFalse(result.Output.Contains("   at "), "stack trace in output:\n" + result.Output);
    }

    [TestMethod]
    public void AReferenceThatCannotBeLoadedIsReportedWithItsOwnError()
    {
        var root = TestEnvironment.CreateWorkspace("multiproject");
        var app = Path.Combine(root, "src", "App");
        // MSBuild only warns about a reference to a missing project (MSB9008); the closure's evaluation cannot skip it.
        var csproj = Path.Combine(app, "App.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", "<ItemGroup><ProjectReference Include=\"..\\Lib.Missing\\Lib.Missing.csproj\" /></ItemGroup>\n</Project>"));
        var result = Containerize(app);
        Assert.AreNotEqual(0, result.ExitCode);
        StringAssert.Contains(result.Output, "error MSTAGE123:", result.Output);
        StringAssert.Contains(result.Output, "Lib.Missing.csproj", result.Output);
        Assert.IsFalse(result.Output.Contains("One or more errors occurred", StringComparison.Ordinal), result.Output);
        Assert.IsFalse(result.Output.Contains("   at "), "stack trace in output:\n" + result.Output);
    }
}
