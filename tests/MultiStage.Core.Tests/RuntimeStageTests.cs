using MultiStage.Generation;
using MultiStage.Model;

namespace MultiStage.Core.Tests;

/// <summary>The runtime stage's metadata: ports and labels with Microsoft.NET.Build.Containers' meaning.</summary>
[TestClass]
public sealed class RuntimeStageTests
{
    private static string Dockerfile(RepoFixture repo, ContainerSettings settings, bool web = true) =>
        Generator.Generate(repo.Project(web), settings, repo.ExternalRoots, false, new TestLog())!.DockerfileText;

    /// <summary>Microsoft's image keeps the port of the base image's ASPNETCORE_HTTP_PORTS (8080) when a ContainerPort is added: Kestrel still listens there.</summary>
    [TestMethod]
    public void AContainerPortKeepsTheWebAppsPort()
    {
        using var repo = new RepoFixture();
        var text = Dockerfile(repo, repo.Settings() with { Ports = new[] { new PortItem("9090", "udp"), new PortItem("5000", "") } });
        StringAssert.Contains(text, "EXPOSE 5000/tcp\nEXPOSE 8080/tcp\nEXPOSE 9090/udp\n");
        var console = Dockerfile(repo, repo.Settings() with { Ports = new[] { new PortItem("5000", "") } }, web: false);
        Assert.IsFalse(console.Contains("8080"), "a console app listens on nothing the image defines");
    }

    [TestMethod]
    public void TheImageIsLabelledWithItsBase()
    {
        using var repo = new RepoFixture();
        StringAssert.Contains(Dockerfile(repo, repo.Settings()), "\"org.opencontainers.image.base.name\"=\"mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra\"");
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var pinned = Dockerfile(repo, repo.Settings() with { ContainerBaseImage = "registry.example/base:1@" + digest });
        StringAssert.Contains(pinned, "\"org.opencontainers.image.base.digest\"=\"" + digest + "\"");
        StringAssert.Contains(pinned, "\"org.opencontainers.image.base.name\"=\"registry.example/base:1@" + digest + "\"");
        Assert.IsFalse(Dockerfile(repo, repo.Settings() with { BaseNameLabel = false }).Contains("base.name"));
        Assert.IsFalse(Dockerfile(repo, repo.Settings() with { ContainerBaseImage = "registry.example/base:1@" + digest, BaseDigestLabel = false }).Contains("base.digest"));
        var own = Dockerfile(repo, repo.Settings() with { Labels = new[] { new KeyValuePair<string, string>("org.opencontainers.image.base.name", "mine") } });
        StringAssert.Contains(own, "\"org.opencontainers.image.base.name\"=\"mine\"");
        Assert.IsFalse(own.Contains("noble-chiseled-extra\"\n"), "the user's label of the same name wins");
    }

    /// <summary>HEALTHCHECK as the Dockerfile reference writes it: options before CMD in exec form, or NONE.</summary>
    [TestMethod]
    public void HealthCheckIsWrittenInExecFormWithItsOptions()
    {
        using var repo = new RepoFixture();
        var text = Dockerfile(repo, repo.Settings() with
        {
            HealthCheck = new[] { "dotnet", "/app/App.dll", "--health \"x\"" },
            HealthCheckInterval = "1m30s",
            HealthCheckTimeout = "3s",
            HealthCheckStartPeriod = "500ms",
            HealthCheckRetries = "5",
        });
        StringAssert.Contains(text, "\nHEALTHCHECK --interval=1m30s --timeout=3s --start-period=500ms --retries=5 CMD [\"dotnet\", \"/app/App.dll\", \"--health \\\"x\\\"\"]\n");
        StringAssert.Contains(Dockerfile(repo, repo.Settings() with { HealthCheck = new[] { "none" } }), "\nHEALTHCHECK NONE\n");
        Assert.IsFalse(Dockerfile(repo, repo.Settings()).Contains("HEALTHCHECK", StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("30", "", "")]
    [DataRow("-1s", "", "")]
    [DataRow("1.5s", "", "")]
    [DataRow("", "0", "")]
    [DataRow("", "three", "")]
    [DataRow("30s", "", "no command")]
    [DataRow("30s", "", "None")]
    public void BadHealthCheckValuesAreCodedErrors(string interval, string retries, string command)
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        var settings = repo.Settings() with
        {
            HealthCheck = command switch { "no command" => Array.Empty<string>(), "" => new[] { "/app/App", "--health" }, _ => new[] { command } },
            HealthCheckInterval = interval,
            HealthCheckRetries = retries,
        };
        Assert.IsNull(Generator.Generate(repo.Project(), settings, repo.ExternalRoots, false, log));
        Assert.AreEqual("MSTAGE147", log.ErrorCodes);
    }

    [TestMethod]
    public void AHealthCheckWithCurlOnChiseledIsAnError()
    {
        using var repo = new RepoFixture();
        var log = new TestLog();
        Assert.IsNull(Generator.Generate(repo.Project(), repo.Settings() with { HealthCheck = new[] { "curl", "-f", "http://localhost:8080/" } }, repo.ExternalRoots, false, log));
        Assert.AreEqual("MSTAGE143", log.ErrorCodes);
        StringAssert.Contains(log.Errors[0].Message, "ContainerHealthCheck starts with 'curl'");
    }
}
