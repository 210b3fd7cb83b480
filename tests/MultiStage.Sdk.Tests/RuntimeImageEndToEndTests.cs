using System.Text.Json;
using MultiStage.Sdk.Tests.Infrastructure;

namespace MultiStage.Sdk.Tests;

/// <summary>
/// The runtime image's defaults and settings, built with the docker CLI from the generated Dockerfile against the
/// stand-in images of eng/testenv: what the image config and a run show.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class RuntimeImageEndToEndTests
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

    private static string Build(string asset, string name, params string[] properties)
    {
        var dir = TestEnvironment.CreateWorkspace(asset, name);
        TestEnvironment.DotNet(dir, new[] { "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}" }.Concat(properties).ToArray()).EnsureSuccess();
        var tag = $"multistage-e2e/{name}:{Run}";
        Images.Add(tag);
        DockerCli.Build(dir, tag).EnsureSuccess();
        return tag;
    }

    private static Dictionary<string, string> Env(JsonElement config) =>
        config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>
    /// A web app with no property set runs on the chiseled aspnet image: no shell in the image, the app user, the base
    /// labelled, 8080 still exposed beside an added ContainerPort, and environment from the command line.
    /// </summary>
    [TestMethod]
    public void AWebAppWithNoImagePropertyRunsOnChiseled()
    {
        var image = Build("webapi", "runtime-chiseled-web", "-p:ContainerEnvironmentVariables=FEATURE_X=on%3BGREETING=a=b");
        var inspect = DockerCli.Inspect(image);
        var config = inspect.GetProperty("Config");
        Assert.AreEqual($"{TestEnvironment.ImageRegistry}/dotnet/aspnet:10.0-noble-chiseled-extra", config.GetProperty("Labels").GetProperty("org.opencontainers.image.base.name").GetString());
        Assert.AreEqual("1654", config.GetProperty("User").GetString());
        var files = DockerCli.FileList(image);
        Assert.IsFalse(files.Contains("bin/sh") || files.Contains("usr/bin/sh"), "a chiseled image has no shell");
        var env = Env(config);
        Assert.AreEqual("on", env["FEATURE_X"]);
        Assert.AreEqual("a=b", env["GREETING"]);
        Assert.IsTrue(config.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        WebAppContainer.Run(image, (http, baseUrl) =>
            Assert.AreEqual("1654", http.GetStringAsync(baseUrl + "/uid").GetAwaiter().GetResult().Trim()));
    }

    /// <summary>An app that is not globalization-invariant gets the -extra image and finds its culture data there.</summary>
    [TestMethod]
    public void AConsoleAppGetsTheExtraImage()
    {
        var image = Build("console", "runtime-chiseled-console");
        var config = DockerCli.Inspect(image).GetProperty("Config");
        StringAssert.EndsWith(config.GetProperty("Labels").GetProperty("org.opencontainers.image.base.name").GetString(), "/dotnet/runtime:10.0-noble-chiseled-extra");
        Assert.AreEqual("false", Env(config).GetValueOrDefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "false"), "the -extra image carries ICU");
        var output = DockerCli.Run("run", "--rm", "--network", "none", image, "x").EnsureSuccess().Output;
        StringAssert.Contains(output, "console-app: hello [x] uid=1654");
    }

    /// <summary>A web app that adds a ContainerPort keeps 8080, as Microsoft's image does.</summary>
    [TestMethod]
    public void AContainerPortKeeps8080()
    {
        var dir = TestEnvironment.CreateWorkspace("webapi", "runtime-ports");
        var project = Directory.GetFiles(dir, "*.csproj").Single();
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", "  <ItemGroup>\n    <ContainerPort Include=\"9090\" Type=\"udp\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}").EnsureSuccess();
        var tag = $"multistage-e2e/runtime-ports:{Run}";
        Images.Add(tag);
        DockerCli.Build(dir, tag).EnsureSuccess();
        var exposed = DockerCli.Inspect(tag).GetProperty("Config").GetProperty("ExposedPorts");
        Assert.IsTrue(exposed.TryGetProperty("8080/tcp", out _) && exposed.TryGetProperty("9090/udp", out _), exposed.ToString());
    }

    /// <summary>
    /// The pattern that works on a shell-less image: the health check runs the app's own binary with a health argument,
    /// which asks the running app over loopback. The engine reports the container healthy; HealthCheck None removes a base's check.
    /// </summary>
    [TestMethod]
    public void TheAppsOwnHealthArgumentMakesTheContainerHealthy()
    {
        var dir = TestEnvironment.CreateWorkspace("webapi", "runtime-health");
        var project = Directory.GetFiles(dir, "*.csproj").Single();
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", "  <ItemGroup>\n    <ContainerHealthCheck Include=\"dotnet;/app/WebApi.dll;--health\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        TestEnvironment.DotNet(dir, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}",
            "-p:ContainerHealthCheckInterval=1s", "-p:ContainerHealthCheckTimeout=5s", "-p:ContainerHealthCheckRetries=30").EnsureSuccess();
        var tag = $"multistage-e2e/runtime-health:{Run}";
        Images.Add(tag);
        DockerCli.Build(dir, tag).EnsureSuccess();
        var health = DockerCli.Inspect(tag).GetProperty("Config").GetProperty("Healthcheck");
        Assert.AreEqual("CMD dotnet /app/WebApi.dll --health", string.Join(" ", health.GetProperty("Test").EnumerateArray().Select(e => e.GetString())));
        Assert.AreEqual(1_000_000_000L, health.GetProperty("Interval").GetInt64());
        Assert.AreEqual(30, health.GetProperty("Retries").GetInt32());

        var port = DockerCli.FreeLoopbackPort();
        var container = DockerCli.Run("run", "-d", "--network", "host", "-e", $"ASPNETCORE_URLS=http://127.0.0.1:{port}", tag).EnsureSuccess().Output.Trim().Split('\n').Last();
        try
        {
            var status = "";
            for (var attempt = 0; attempt < 60 && status != "healthy"; attempt++)
            {
                Thread.Sleep(500);
                status = DockerCli.Run("inspect", "-f", "{{.State.Health.Status}}", container).EnsureSuccess().Output.Trim();
            }

            Assert.AreEqual("healthy", status, DockerCli.Run("inspect", "-f", "{{json .State.Health}}", container).Output);
        }
        finally
        {
            DockerCli.Run("rm", "-f", container);
        }

        // None turns off a check the base image (here our own image) defines.
        var none = TestEnvironment.CreateWorkspace("console", "runtime-health-none");
        var noneProject = Directory.GetFiles(none, "*.csproj").Single();
        File.WriteAllText(noneProject, File.ReadAllText(noneProject).Replace("</Project>", "  <ItemGroup>\n    <ContainerHealthCheck Include=\"None\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        TestEnvironment.DotNet(none, "build", "-t:ContainerizeMultiStage", "-nologo", $"-p:MultiStageBaseImageRegistry={TestEnvironment.ImageRegistry}", $"-p:ContainerBaseImage={tag}").EnsureSuccess();
        StringAssert.Contains(File.ReadAllText(Path.Combine(none, "Dockerfile")), "\nHEALTHCHECK NONE\n");
        var noneTag = $"multistage-e2e/runtime-health-none:{Run}";
        Images.Add(noneTag);
        DockerCli.Build(none, noneTag).EnsureSuccess();
        var test = DockerCli.Inspect(noneTag).GetProperty("Config").GetProperty("Healthcheck").GetProperty("Test");
        Assert.AreEqual("NONE", string.Join(" ", test.EnumerateArray().Select(e => e.GetString())));
    }
}
