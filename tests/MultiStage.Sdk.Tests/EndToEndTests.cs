using System.Net.Http;
using System.Text.RegularExpressions;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// Every test asset: generate the Dockerfile with the packed SDK, build it with the docker CLI (BuildKit) against
/// the stand-in .NET images of eng/testenv served from the local registry, run the image and check what a user would.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);
    private static readonly List<string> Images = new();

    [ClassInitialize]
    public static void RequireEngine(TestContext context) => DockerCli.RequireEngine();

    [ClassCleanup]
    public static void RemoveImages()
    {
        foreach (var image in Images)
        {
            DockerCli.Run("rmi", "-f", image);
        }
    }

    /// <summary>Generates (no host compile needed) with every base image taken from the local registry.</summary>
    private static string Generate(string projectDirectory, params string[] extra)
    {
        TestEnvironment.DotNet(projectDirectory, new[] { "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}" }.Concat(extra).ToArray()).EnsureSuccess();
        return projectDirectory;
    }

    private static string BuildImage(string context, string name) => BuildImage(context, name, out _);

    private static string BuildImage(string context, string name, out string output)
    {
        var tag = $"multistage-e2e/{name}:{Run}";
        Images.Add(tag);
        output = DockerCli.Build(context, tag).EnsureSuccess().Output;
        return tag;
    }

    private static void AssertRuntimeImage(string image, bool expectDotnetHost)
    {
        var user = DockerCli.Inspect(image).GetProperty("Config").GetProperty("User").GetString();
        Assert.IsTrue(user is "1654" or "app", $"runs as '{user}', expected the non-root app user");
        var files = DockerCli.FileList(image);
        Assert.IsFalse(files.Any(f => f.StartsWith("usr/share/dotnet/sdk", StringComparison.Ordinal)), "the final image must not contain the SDK");
        Assert.IsFalse(files.Any(f => f.StartsWith("src/", StringComparison.Ordinal)), "the final image must not contain the sources");
        Assert.IsFalse(files.Any(f => f.StartsWith("nuget/", StringComparison.Ordinal) || f.StartsWith("root/.nuget", StringComparison.Ordinal)), "the final image must not contain the NuGet cache");
        Assert.AreEqual(expectDotnetHost, files.Contains("usr/share/dotnet/dotnet"), "dotnet host presence");
    }

    [TestMethod]
    public void ConsoleAppRunsAsTheAppUser()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("console"));
        var image = BuildImage(dir, "console");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image, "one", "two").EnsureSuccess().Output;
        StringAssert.Contains(output, "console-app: hello [one two] uid=1654");
        AssertRuntimeImage(image, expectDotnetHost: true);
    }

    /// <summary>
    /// A project file named like a switch: dotnet restore and publish in the build stage would read "-lead.csproj"
    /// as an unknown switch (MSB1001); the generator passes it as ./-lead.csproj.
    /// </summary>
    [TestMethod]
    public void AProjectFileNamedLikeASwitchBuilds()
    {
        var dir = TestEnvironment.CreateWorkspace("console", "lead");
        File.Move(Path.Combine(dir, "ConsoleApp.csproj"), Path.Combine(dir, "-lead.csproj"));
        Generate(dir, "-p:ContainerRepository=lead");
        var image = BuildImage(dir, "lead");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image, "x").EnsureSuccess().Output;
        StringAssert.Contains(output, "console-app: hello [x]");
    }

    /// <summary>
    /// The README's form: the version on the &lt;Sdk&gt; element and no global.json, so the build stage has no
    /// msbuild-sdks entry to find the vendored package by.
    /// </summary>
    [TestMethod]
    public void ConsoleAppBuildsWithTheVersionOnTheSdkElement()
    {
        var dir = TestEnvironment.CreateWorkspace("console", "console-versioned", versionOnSdkElement: true);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "global.json")));
        Generate(dir);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "ConsoleApp.csproj")), $"Version=\"{TestEnvironment.SdkVersion}\"");
        Assert.IsFalse(File.ReadAllText(Path.Combine(dir, "Dockerfile")).Contains("global.json", StringComparison.Ordinal), "there is no global.json to copy");
        var image = BuildImage(dir, "console-versioned", out var build);
        // The linked SDK resolves with an empty version; the build stage must not warn about it (an error under -warnaserror).
        Assert.IsFalse(build.Contains("warning MSB4241", StringComparison.Ordinal), ProcessResult.Tail(build, 40));
        var output = DockerCli.Run("run", "--rm", "--network", "none", image, "v").EnsureSuccess().Output;
        StringAssert.Contains(output, "console-app: hello [v] uid=1654");
    }

    [TestMethod]
    public void WebApiAnswersHttpOnLoopback()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("webapi"));
        var image = BuildImage(dir, "webapi");
        var exposed = DockerCli.Inspect(image).GetProperty("Config").GetProperty("ExposedPorts");
        Assert.IsTrue(exposed.TryGetProperty("8080/tcp", out _), exposed.ToString());

        WebAppContainer.Run(image, (http, baseUrl) =>
        {
            Assert.AreEqual("1654", http.GetStringAsync(baseUrl + "/uid").GetAwaiter().GetResult().Trim());
            StringAssert.Contains(http.GetStringAsync(baseUrl + "/weather").GetAwaiter().GetResult(), "\"summary\":\"Mild\"");
        });

        AssertRuntimeImage(image, expectDotnetHost: true);
    }

    [TestMethod]
    public void WorkerServiceTicksAndExits()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("worker"));
        var image = BuildImage(dir, "worker");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "worker: tick 3");
        AssertRuntimeImage(image, expectDotnetHost: true);
    }

    [TestMethod]
    public void MultiProjectBuildsAndASourceEditKeepsTheRestoreLayer()
    {
        var root = TestEnvironment.CreateWorkspace("multiproject");
        Generate(Path.Combine(root, "src", "App"));
        var image = BuildImage(root, "multiproject");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "multiproject: three steps: Restore packages, Publish app, Copy output [company=Multiproject Samples]");
        AssertRuntimeImage(image, expectDotnetHost: true);

        var beforeEdit = image + "-before";
        DockerCli.Run("tag", image, beforeEdit).EnsureSuccess();
        Images.Add(beforeEdit);

        // One source edit: restore and the library layers stay cached, the app is rebuilt.
        var program = Path.Combine(root, "src", "App", "Program.cs");
        File.AppendAllText(program, "\n// edited\n");
        var rebuild = DockerCli.Build(root, image).EnsureSuccess().Output;
        Assert.IsTrue(DockerCli.StepWasCached(rebuild, "dotnet restore src/App/App.csproj"), "restore layer was not reused:\n" + ProcessResult.Tail(rebuild, 80));
        Assert.IsTrue(DockerCli.StepWasCached(rebuild, "COPY [src/Lib.Core/, src/Lib.Core/]"), "library layer was not reused");
        Assert.IsFalse(DockerCli.StepWasCached(rebuild, "dotnet publish src/App/App.csproj"), "publish must rerun after an edit");

        // Layers by change frequency: the edit changes only the app layer, the package layer (Humanizer) is reused.
        var before = Layers(beforeEdit);
        var after = Layers(image);
        Assert.AreEqual(before.Count, after.Count);
        CollectionAssert.AreEqual(before.Take(before.Count - 1).ToList(), after.Take(after.Count - 1).ToList(), "only the last (app) layer may change");
        Assert.AreNotEqual(before[^1], after[^1]);

        // The top four layers, from MSBuild's knowledge of each file: packages, resources, project references, the app's
        // own assemblies. No apphost: the entrypoint is `dotnet App.dll`.
        var layerFiles = DockerCli.LayerFiles(image).TakeLast(4).Select(l => l.OrderBy(f => f, StringComparer.Ordinal).ToList()).ToList();
        CollectionAssert.AreEqual(new[] { "app/Humanizer.dll" }, layerFiles[0], string.Join(", ", layerFiles[0]));
        CollectionAssert.AreEqual(new[] { "app/App.deps.json", "app/App.runtimeconfig.json" }, layerFiles[1], string.Join(", ", layerFiles[1]));
        CollectionAssert.AreEqual(new[] { "app/Lib.Core.dll", "app/Lib.Core.pdb", "app/Lib.Formatting.dll", "app/Lib.Formatting.pdb" }, layerFiles[2], string.Join(", ", layerFiles[2]));
        CollectionAssert.AreEqual(new[] { "app/App.dll", "app/App.pdb" }, layerFiles[3], string.Join(", ", layerFiles[3]));

        // The test project stays out of the context's copies (the generated .dockerignore plus graph-based COPYs).
        var files = DockerCli.FileList(image);
        Assert.IsFalse(files.Any(f => f.Contains("App.Tests", StringComparison.Ordinal)));

        // In the build stage NuGet's SDK resolver finds this SDK in the packages folder the vendored copy went to, offline.
        var buildStage = $"multistage-e2e/multiproject-build:{Run}";
        Images.Add(buildStage);
        DockerCli.Run("build", "--network", "host", "--progress", "plain", "--target", "build", "-t", buildStage, root).EnsureSuccess();
        var resolved = DockerCli.Run("run", "--rm", "--network", "none", buildStage, "dotnet", "msbuild", "src/App/App.csproj", "-t:GetTargetPath", "-v:d", "-nologo").EnsureSuccess().Output;
        StringAssert.Matches(resolved, new System.Text.RegularExpressions.Regex("The SDK \"MultiStage.Sdk\" was successfully resolved by the \"[^\"]*NuGetSdkResolver\""), ProcessResult.Tail(resolved, 40));
    }

    private static List<string> Layers(string image) =>
        DockerCli.Inspect(image).GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();

    [TestMethod]
    public void NativeAotRunsOnShellLessChiseled()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("aot"));
        var image = BuildImage(dir, "aot");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "aot: hello uid=1654");
        AssertRuntimeImage(image, expectDotnetHost: false);
        var files = DockerCli.FileList(image);
        Assert.IsFalse(files.Contains("bin/sh"), "chiseled images have no shell");
        Assert.IsFalse(files.Any(f => f.EndsWith(".dbg", StringComparison.Ordinal)), "native debug symbols stay out of the image");
        Assert.IsTrue(files.Contains("app/AotApp"));
    }

    [TestMethod]
    public void SelfContainedTrimmedRunsOnRuntimeDeps()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("selfcontained"));
        var image = BuildImage(dir, "selfcontained");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "selfcontained: hello uid=1654");
        AssertRuntimeImage(image, expectDotnetHost: false);
    }

    [TestMethod]
    public void IcuAppFindsCultureDataOnTheExtraImage()
    {
        var dir = Generate(TestEnvironment.CreateWorkspace("icu"));
        var image = BuildImage(dir, "icu");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "icu: de-DE 1.234.567,89");
        AssertRuntimeImage(image, expectDotnetHost: true);
    }

    [TestMethod]
    public void AwkwardPathsAndValuesSurviveTheRealBuilder()
    {
        var dir = TestEnvironment.CreateWorkspace("console", "console app ü $HOME 'q'");
        var csproj = Path.Combine(dir, "ConsoleApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>",
            "  <ItemGroup>\n" +
            "    <ContainerLabel Include=\"com.example.note\" Value=\"it's &quot;quoted&quot; $HOME \\ done\" />\n" +
            "    <ContainerEnvironmentVariable Include=\"GREETING\" Value=\"a $b &quot;c&quot; \\d\" />\n" +
            "  </ItemGroup>\n</Project>"));
        Generate(dir);
        var image = BuildImage(dir, "awkward");
        var config = DockerCli.Inspect(image).GetProperty("Config");
        Assert.AreEqual("it's \"quoted\" $HOME \\ done", config.GetProperty("Labels").GetProperty("com.example.note").GetString());
        CollectionAssert.Contains(config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList(), "GREETING=a $b \"c\" \\d");
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output, "console-app: hello [] uid=1654");
    }
}
