using MultiStage.Engine.Client;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The build stage sees what the host build reads, no more: testassets/inputs is a repository with its projects under
/// src/ and, at its root, a signing key named by a property, a NuGet.config with a folder feed, an .editorconfig
/// without which the build fails, a README the library packs and a linked shared source. One generation with no
/// property set must build and run, produce the host's assemblies, and send a context of exactly the input set.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class BuildInputsEndToEndTests
{
    private static readonly string Run = Guid.NewGuid().ToString("N").Substring(0, 8);
    private static readonly List<string> Images = new();

    /// <summary>Expected from what each build reads (not from the generator): the projects' folders, the files they name,
    /// the NuGet.config's feed, the .editorconfig and global.json above them; plus what generation writes.</summary>
    private static readonly string[] InputSet =
    {
        ".editorconfig", "Key.snk", "README.md", "Shared/BuildInfo.cs", "global.json",
        "localpkgs/Inputs.LocalFeed.1.0.0.nupkg",
        "src/Directory.Build.props", "src/App/App.csproj", "src/App/Program.cs", "src/Lib/Lib.csproj", "src/Lib/Greeting.cs",
    };

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

    [TestMethod]
    public void TheImageBuildsFromTheInputSetAndHasTheHostsAssemblies()
    {
        var root = TestEnvironment.CreateWorkspace("inputs");
        Git(root, "init", "-q");
        Git(root, "add", "-A");
        Git(root, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "inputs");
        var app = Path.Combine(root, "src", "App");
        TestEnvironment.DotNet(app, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();
        Assert.IsTrue(File.Exists(Path.Combine(root, "Dockerfile")), "the context grows to the repository root, which holds NuGet.config and the key");

        // Minimal: the context as the engine client sends it holds the input set and generated files, nothing else.
        var sent = BuildContextFiles.AsSent(root);
        var generated = sent.Where(f => f.StartsWith(".multistage/", StringComparison.Ordinal) || f is "Dockerfile" or ".dockerignore").ToList();
        CollectionAssert.AreEquivalent(InputSet, sent.Except(generated).ToList(), "context: " + string.Join(", ", sent));
        Assert.IsTrue(generated.Contains(".multistage/nuget/nuget.config"), "the NuGet.config's rendering");

        // Sufficient: it builds and runs with no property set.
        var image = $"multistage-e2e/inputs:{Run}";
        Images.Add(image);
        DockerCli.Build(root, image).EnsureSuccess();
        var output = DockerCli.Run("run", "--rm", "--network", "none", image).EnsureSuccess().Output;
        StringAssert.Contains(output, "inputs: signed library token=");
        StringAssert.Contains(output, "| shared source linked | feed=restored from the repository's folder feed");

        // The same assemblies as the host's build of the same commit.
        var hostOut = Path.Combine(root, "host-publish");
        TestEnvironment.DotNet(app, "publish", "-c", "Release", "-r", "linux-x64", "--no-self-contained", "-p:UseAppHost=false", "-p:MultiStageGenerateOnPublish=false", "-o", hostOut, "-nologo").EnsureSuccess();
        var imageOut = Path.Combine(root, "image-app");
        CopyFromImage(image, "/app/.", imageOut);
        foreach (var assembly in new[] { "App.dll", "Lib.dll" })
        {
            Assert.AreEqual(AssemblyContent.Describe(Path.Combine(hostOut, assembly)), AssemblyContent.Describe(Path.Combine(imageOut, assembly)), assembly + " differs from the host build's");
        }

        StringAssert.Contains(AssemblyContent.Describe(Path.Combine(imageOut, "Lib.dll")), "strong-name-signed=True");
    }

    private static void CopyFromImage(string image, string source, string target)
    {
        var id = DockerCli.Run("create", image).EnsureSuccess().Output.Trim().Split('\n').Last();
        try
        {
            Directory.CreateDirectory(target);
            DockerCli.Run("cp", id + ":" + source, target).EnsureSuccess();
        }
        finally
        {
            DockerCli.Run("rm", id);
        }
    }

    private static void Git(string dir, params string[] arguments) =>
        ProcessRunner.Run("git", arguments, dir, timeout: TimeSpan.FromMinutes(1)).EnsureSuccess();
}
