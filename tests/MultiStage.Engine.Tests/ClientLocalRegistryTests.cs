using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

/// <summary>
/// LocalRegistry, Microsoft.NET.Build.Containers' property: Podman puts Podman's sockets right after DOCKER_HOST (the
/// docker context and Docker's socket are not looked at); Docker or empty keeps the docker CLI's order.
/// </summary>
[TestClass]
public sealed class ClientLocalRegistryTests
{
    private static EngineDiscovery Discovery(TempDirectory home, Dictionary<string, string> env, string dockerSocket, string systemPodman) =>
        new(name => env.TryGetValue(name, out var value) ? value : null, home.Path)
        {
            DefaultSocketPath = dockerSocket,
            SystemPodmanSocketPath = systemPodman,
        };

    [TestMethod]
    public void PodmanPrefersTheRootlessSocketOverDockersAndTheSystemOne()
    {
        using var home = new TempDirectory();
        var docker = home.Write("docker.sock", string.Empty);
        var system = home.Write("podman-system.sock", string.Empty);
        var rootless = home.Write("run/podman/podman.sock", string.Empty);
        var env = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = Path.Combine(home.Path, "run") };

        Assert.AreEqual("unix://" + rootless, Discovery(home, env, docker, system).Discover(null, "Podman").Uri.OriginalString);
        Assert.AreEqual("unix://" + rootless, Discovery(home, env, docker, system).Discover(null, "podman").Uri.OriginalString, "any case, as MSBuild compares");
        Assert.AreEqual("unix://" + docker, Discovery(home, env, docker, system).Discover(null, "Docker").Uri.OriginalString);
        Assert.AreEqual("unix://" + docker, Discovery(home, env, docker, system).Discover(null, "").Uri.OriginalString);
    }

    [TestMethod]
    public void PodmanFallsBackToTheSystemSocket()
    {
        using var home = new TempDirectory();
        var docker = home.Write("docker.sock", string.Empty);
        var system = home.Write("podman-system.sock", string.Empty);
        var endpoint = Discovery(home, new() { ["XDG_RUNTIME_DIR"] = Path.Combine(home.Path, "run") }, docker, system).Discover(null, "Podman");
        Assert.AreEqual("unix://" + system, endpoint.Uri.OriginalString);
        Assert.AreEqual("the Podman socket", endpoint.Source);
    }

    [TestMethod]
    public void DockerHostAndTheExplicitEndpointStillWin()
    {
        using var home = new TempDirectory();
        var system = home.Write("podman-system.sock", string.Empty);
        var env = new Dictionary<string, string> { ["DOCKER_HOST"] = "tcp://127.0.0.1:2375" };
        Assert.AreEqual("tcp://127.0.0.1:2375/", Discovery(home, env, "/nonexistent.sock", system).Discover(null, "Podman").Uri.OriginalString);
        Assert.AreEqual("unix:///tmp/x.sock", Discovery(home, env, "/nonexistent.sock", system).Discover("unix:///tmp/x.sock", "Podman").Uri.OriginalString);
    }

    [TestMethod]
    public void PodmanWithoutASocketNamesEveryAddressLookedFor()
    {
        using var home = new TempDirectory();
        var docker = home.Write("docker.sock", string.Empty);
        var system = Path.Combine(home.Path, "podman-system.sock");
        var rootless = Path.Combine(home.Path, "run", "podman", "podman.sock");
        var endpoint = Discovery(home, new() { ["XDG_RUNTIME_DIR"] = Path.Combine(home.Path, "run") }, docker, system).Discover(null, "Podman");
        // Docker's socket exists, but Podman was asked for: the failure names Podman's sockets, not Docker's.
        Assert.AreEqual("unix://" + rootless, endpoint.Uri.OriginalString);
        StringAssert.Contains(endpoint.Describe(), "LocalRegistry=Podman");
        StringAssert.Contains(endpoint.Describe(), "unix://" + system);
    }

    [TestMethod]
    public void AnotherValueIsRefusedWithItsCode()
    {
        using var home = new TempDirectory();
        var error = Assert.ThrowsExactly<EngineException>(() => Discovery(home, new(), "/none.sock", "/none2.sock").Discover(null, "Containerd"));
        Assert.AreEqual(EngineErrorCodes.LocalRegistryInvalid, error.Code);
        StringAssert.Contains(error.Message, "'Containerd'");
        StringAssert.Contains(error.Message, "Docker or Podman");
    }
}
