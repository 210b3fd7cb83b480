using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// ContainerFile, ContainerWritableDirectory and ContainerPackage on the real engine, with testassets/appfiles: the app
/// reads the file and writes into the folder as the image's user, and the package's binary is in the image.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class RuntimeAdditionsEndToEndTests
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

    private const string AppOutput = "appfiles: settings {\"greeting\":\"hello\"} mode=640 | wrote /var/lib/appfiles/written.txt | uid=1654";

    /// <summary>
    /// On the default chiseled image (no shell, non-root): the file arrives with its Mode, owned by the app user, who
    /// can read it, and the writable folder is the app user's. Built by the docker CLI from the generated Dockerfile.
    /// </summary>
    [TestMethod]
    public void TheAppReadsItsFileAndWritesItsFolderOnChiseled()
    {
        var dir = TestEnvironment.CreateWorkspace("appfiles", "runtime2-appfiles");
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();
        var dockerfile = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        StringAssert.Contains(dockerfile, "-noble-chiseled-extra AS final\n");
        Assert.IsFalse(dockerfile.Substring(dockerfile.IndexOf(" AS final", StringComparison.Ordinal)).Contains("\nRUN ", StringComparison.Ordinal), "nothing runs in the runtime stage");
        var tag = $"multistage-e2e/runtime2-appfiles:{Run}";
        Images.Add(tag);
        DockerCli.Build(dir, tag).EnsureSuccess();

        var output = DockerCli.Run("run", "--rm", "--network", "none", tag).EnsureSuccess().Output;
        StringAssert.Contains(output, AppOutput);
        // Someone else (a uid with no rights on the file) cannot read it: Mode 0640 held.
        var other = DockerCli.Run("run", "--rm", "--network", "none", "--user", "4242", tag);
        Assert.AreNotEqual(0, other.ExitCode, other.Output);
        StringAssert.Contains(other.Output, "UnauthorizedAccessException");
    }

    /// <summary>
    /// A package on a Debian image (the stand-in runtime:10.0 is bookworm), through the Engine API: the RUN reaches the
    /// Debian mirror on the build network (MultiStageBuildNetwork=host here, where the engine has no bridge), and the
    /// package's binary is in the image; the app still runs as the app user, with its file and folder.
    /// </summary>
    [TestMethod]
    public void APackageIsInstalledOnADebianImage()
    {
        var dir = TestEnvironment.CreateWorkspace("appfiles", "runtime2-packages");
        var repository = "multistage-e2e/runtime2-packages";
        var tag = $"{repository}:{Run}";
        Images.Add(tag);
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo",
            $"-p:ContainerBaseImage={TestEnvironment.ImageRegistry}/dotnet/runtime:10.0",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true", "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}", $"-p:ContainerImageTag={Run}").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "Dockerfile")), "apt-get install -y --no-install-recommends \\\n        tini \\\n");

        var tini = DockerCli.Run("run", "--rm", "--network", "none", "--entrypoint", "/usr/bin/tini", tag, "--version").EnsureSuccess().Output;
        StringAssert.Contains(tini, "tini version");
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", tag).EnsureSuccess().Output, AppOutput);
        Assert.IsFalse(DockerCli.FileList(tag).Any(f => f.StartsWith("var/lib/apt/lists/", StringComparison.Ordinal) && f.EndsWith("_Packages", StringComparison.Ordinal)), "the package lists are removed in the same layer");
    }

    /// <summary>The inner loop assembles the image from the host's publish: its own context holds a copy of the file.</summary>
    [TestMethod]
    public void TheInnerLoopCarriesTheFileAndFolder()
    {
        var dir = TestEnvironment.CreateWorkspace("appfiles", "runtime2-innerloop");
        var repository = "multistage-e2e/runtime2-innerloop";
        Images.Add($"{repository}:{Run}");
        TestEnvironment.DotNet(dir, "publish", "-t:ContainerizeMultiStage", "-nologo",
            $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:MultiStageBuildImage=true", "-p:MultiStageInnerLoop=true", "-p:MultiStageBuildNetwork=host",
            $"-p:ContainerRepository={repository}", $"-p:ContainerImageTag={Run}").EnsureSuccess();
        StringAssert.Contains(DockerCli.Run("run", "--rm", "--network", "none", $"{repository}:{Run}").EnsureSuccess().Output, AppOutput);
    }

    /// <summary>A package on the default chiseled image: MSTAGE148 at generation, naming the choices, and no Dockerfile.</summary>
    [TestMethod]
    public void APackageOnChiseledIsMSTAGE148()
    {
        var dir = TestEnvironment.CreateWorkspace("appfiles", "runtime2-chiseled-package");
        var result = TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", "-p:ContainerFamily=noble-chiseled");
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, "error MSTAGE148");
        StringAssert.Contains(result.Output, "ContainerFamily=noble or trixie-slim (apt-get), alpine (apk)");
        Assert.IsFalse(result.Output.Contains("   at "), "no stack trace:\n" + result.Output);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "Dockerfile")));
    }
}
