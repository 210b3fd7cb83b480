using System.Security.Cryptography;
using System.Text;
using MultiStage.Engine.Client;

namespace MultiStage.Engine.Tests;

[TestClass]
public sealed class ClientDiscoveryTests
{
    private static EngineDiscovery Discovery(TempDirectory home, Dictionary<string, string> env, string? defaultSocket = null) =>
        new(name => env.TryGetValue(name, out var value) ? value : null, home.Path)
        {
            DefaultSocketPath = defaultSocket ?? Path.Combine(home.Path, "no-docker.sock"),
            SystemPodmanSocketPath = Path.Combine(home.Path, "no-podman.sock"),
        };

    private static string ContextHash(string name) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();

    private static void WriteContext(TempDirectory home, string name, string host, bool skipTlsVerify = false, bool tls = false)
    {
        var hash = ContextHash(name);
        var skip = skipTlsVerify ? "true" : "false";
        home.Write($".docker/contexts/meta/{hash}/meta.json", "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":" + skip + "}}}");
        if (tls)
        {
            home.Write($".docker/contexts/tls/{hash}/docker/ca.pem", "ca");
            home.Write($".docker/contexts/tls/{hash}/docker/cert.pem", "cert");
            home.Write($".docker/contexts/tls/{hash}/docker/key.pem", "key");
        }
    }

    [TestMethod]
    public void ExplicitEndpointWinsOverEverything()
    {
        using var home = new TempDirectory();
        WriteContext(home, "other", "unix:///ctx.sock");
        home.Write(".docker/config.json", """{"currentContext":"other"}""");
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "unix:///env.sock" }).Discover("unix:///explicit.sock");
        Assert.AreEqual("unix:///explicit.sock", endpoint.Uri.OriginalString);
        StringAssert.Contains(endpoint.Source, "explicit");
    }

    [TestMethod]
    public void ExplicitAbsolutePathIsAUnixSocket()
    {
        using var home = new TempDirectory();
        var endpoint = Discovery(home, new()).Discover("/run/user/1000/docker.sock");
        Assert.AreEqual("unix:///run/user/1000/docker.sock", endpoint.Uri.OriginalString);
    }

    [TestMethod]
    public void ExplicitNameIsADockerContext()
    {
        using var home = new TempDirectory();
        WriteContext(home, "remote", "tcp://10.1.2.3:2375");
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "unix:///env.sock" }).Discover("remote");
        Assert.AreEqual("tcp://10.1.2.3:2375/", endpoint.Uri.ToString());
        StringAssert.Contains(endpoint.Source, "'remote'");
        Assert.IsNull(endpoint.Tls);
    }

    [TestMethod]
    public void DockerHostWinsOverContexts()
    {
        using var home = new TempDirectory();
        WriteContext(home, "other", "unix:///ctx.sock");
        home.Write(".docker/config.json", """{"currentContext":"other"}""");
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "unix:///env.sock", ["DOCKER_CONTEXT"] = "other" }).Discover();
        Assert.AreEqual("unix:///env.sock", endpoint.Uri.OriginalString);
        Assert.AreEqual("DOCKER_HOST", endpoint.Source);
    }

    [TestMethod]
    public void TcpDockerHostWithTlsVerifyUsesCertPath()
    {
        using var home = new TempDirectory();
        var certs = Path.Combine(home.Path, "certs");
        home.Write("certs/ca.pem", "x");
        home.Write("certs/cert.pem", "x");
        home.Write("certs/key.pem", "x");
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "tcp://engine.example:2376", ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CERT_PATH"] = certs }).Discover();
        Assert.AreEqual("tcp", endpoint.Uri.Scheme);
        Assert.AreEqual(2376, endpoint.Uri.Port);
        Assert.IsNotNull(endpoint.Tls);
        Assert.IsTrue(endpoint.Tls.VerifyServer);
        Assert.AreEqual(Path.Combine(certs, "ca.pem"), endpoint.Tls.CaCertificateFile);
        Assert.AreEqual(Path.Combine(certs, "cert.pem"), endpoint.Tls.ClientCertificateFile);
        Assert.AreEqual(Path.Combine(certs, "key.pem"), endpoint.Tls.ClientKeyFile);
    }

    [TestMethod]
    public void TlsCertificatesDefaultToTheConfigDirectory()
    {
        using var home = new TempDirectory();
        var config = Path.Combine(home.Path, "cfg");
        home.Write("cfg/cert.pem", "x");
        home.Write("cfg/key.pem", "x");
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "tcp://engine.example", ["DOCKER_TLS_VERIFY"] = "1", ["DOCKER_CONFIG"] = config }).Discover();
        Assert.AreEqual(2376, endpoint.Uri.Port, "the CLI's TLS port is the default");
        Assert.AreEqual(Path.Combine(config, "cert.pem"), endpoint.Tls!.ClientCertificateFile);
    }

    [TestMethod]
    public void TcpWithoutTlsDefaultsToPort2375()
    {
        using var home = new TempDirectory();
        var endpoint = Discovery(home, new() { ["DOCKER_HOST"] = "tcp://engine.example" }).Discover();
        Assert.AreEqual(2375, endpoint.Uri.Port);
        Assert.IsNull(endpoint.Tls);
    }

    [TestMethod]
    public void CurrentContextFromConfigFile()
    {
        using var home = new TempDirectory();
        WriteContext(home, "desktop-linux", "unix:///home/u/.docker/run/docker.sock");
        home.Write(".docker/config.json", """{"auths":{},"currentContext":"desktop-linux"}""");
        var endpoint = Discovery(home, new()).Discover();
        Assert.AreEqual("unix:///home/u/.docker/run/docker.sock", endpoint.Uri.OriginalString);
        StringAssert.Contains(endpoint.Source, "config.json");
    }

    [TestMethod]
    public void DockerConfigVariableMovesTheConfigDirectory()
    {
        using var home = new TempDirectory();
        var elsewhere = Path.Combine(home.Path, "elsewhere");
        var hash = ContextHash("ci");
        home.Write($"elsewhere/contexts/meta/{hash}/meta.json", """{"Name":"ci","Endpoints":{"docker":{"Host":"unix:///ci.sock"}}}""");
        home.Write("elsewhere/config.json", """{"currentContext":"ci"}""");
        home.Write(".docker/config.json", """{"currentContext":"ignored"}""");
        var endpoint = Discovery(home, new() { ["DOCKER_CONFIG"] = elsewhere }).Discover();
        Assert.AreEqual("unix:///ci.sock", endpoint.Uri.OriginalString);
    }

    [TestMethod]
    public void DockerContextVariableWinsOverConfigFile()
    {
        using var home = new TempDirectory();
        WriteContext(home, "a", "unix:///a.sock");
        WriteContext(home, "b", "unix:///b.sock");
        home.Write(".docker/config.json", """{"currentContext":"a"}""");
        var endpoint = Discovery(home, new() { ["DOCKER_CONTEXT"] = "b" }).Discover();
        Assert.AreEqual("unix:///b.sock", endpoint.Uri.OriginalString);
    }

    [TestMethod]
    public void ContextTlsMaterialIsUsed()
    {
        using var home = new TempDirectory();
        WriteContext(home, "secure", "tcp://engine.example:2376", skipTlsVerify: false, tls: true);
        var endpoint = Discovery(home, new() { ["DOCKER_CONTEXT"] = "secure" }).Discover();
        Assert.IsNotNull(endpoint.Tls);
        Assert.IsTrue(endpoint.Tls.VerifyServer);
        StringAssert.EndsWith(endpoint.Tls.CaCertificateFile, Path.Combine(ContextHash("secure"), "docker", "ca.pem"));
        StringAssert.EndsWith(endpoint.Tls.ClientKeyFile, "key.pem");
    }

    [TestMethod]
    public void ContextSkipTlsVerifyTurnsVerificationOff()
    {
        using var home = new TempDirectory();
        WriteContext(home, "lax", "tcp://engine.example:2376", skipTlsVerify: true, tls: true);
        var endpoint = Discovery(home, new() { ["DOCKER_CONTEXT"] = "lax" }).Discover();
        Assert.IsFalse(endpoint.Tls!.VerifyServer);
    }

    [TestMethod]
    public void DefaultContextMeansTheDefaultSocket()
    {
        using var home = new TempDirectory();
        var socket = home.Write("docker.sock", string.Empty);
        home.Write(".docker/config.json", """{"currentContext":"default"}""");
        var endpoint = Discovery(home, new(), socket).Discover();
        Assert.AreEqual("unix://" + socket, endpoint.Uri.OriginalString);
        Assert.AreEqual("the default socket", endpoint.Source);
    }

    [TestMethod]
    public void MissingContextIsAnEndpointError()
    {
        using var home = new TempDirectory();
        var error = Assert.ThrowsExactly<EngineException>(() => Discovery(home, new() { ["DOCKER_CONTEXT"] = "gone" }).Discover());
        Assert.AreEqual(EngineErrorCodes.EndpointInvalid, error.Code);
        StringAssert.Contains(error.Message, "'gone'");
        StringAssert.Contains(error.Message, "docker context ls");
    }

    [TestMethod]
    public void PodmanUserSocketIsFoundWhenDockerIsMissing()
    {
        using var home = new TempDirectory();
        var runtime = Path.Combine(home.Path, "run");
        var podman = home.Write("run/podman/podman.sock", string.Empty);
        var endpoint = Discovery(home, new() { ["XDG_RUNTIME_DIR"] = runtime }).Discover();
        Assert.AreEqual("unix://" + podman, endpoint.Uri.OriginalString);
        Assert.AreEqual("the Podman socket", endpoint.Source);
    }

    [TestMethod]
    public void SystemPodmanSocketIsFoundWhenDockerIsMissing()
    {
        using var home = new TempDirectory();
        var podman = home.Write("podman-system.sock", string.Empty);
        var discovery = new EngineDiscovery(_ => null, home.Path)
        {
            DefaultSocketPath = Path.Combine(home.Path, "none.sock"),
            SystemPodmanSocketPath = podman,
        };
        Assert.AreEqual("unix://" + podman, discovery.Discover().Uri.OriginalString);
    }

    [TestMethod]
    public void DockerSocketWinsOverPodman()
    {
        using var home = new TempDirectory();
        var docker = home.Write("docker.sock", string.Empty);
        home.Write("run/podman/podman.sock", string.Empty);
        var endpoint = Discovery(home, new() { ["XDG_RUNTIME_DIR"] = Path.Combine(home.Path, "run") }, docker).Discover();
        Assert.AreEqual("unix://" + docker, endpoint.Uri.OriginalString);
    }

    [TestMethod]
    public void NothingFoundNamesTheDefaultAndWhatElseWasTried()
    {
        using var home = new TempDirectory();
        var runtime = Path.Combine(home.Path, "run");
        var endpoint = Discovery(home, new() { ["XDG_RUNTIME_DIR"] = runtime }).Discover();
        Assert.AreEqual("unix://" + Path.Combine(home.Path, "no-docker.sock"), endpoint.Uri.OriginalString);
        var description = endpoint.Describe();
        StringAssert.Contains(description, "no-docker.sock");
        StringAssert.Contains(description, Path.Combine(runtime, "podman", "podman.sock"));
        StringAssert.Contains(description, "no-podman.sock");
    }

    [TestMethod]
    [DataRow("ssh://user@host", "ssh")]
    [DataRow("fd://", "supported forms")]
    [DataRow("unix://relative.sock", "absolute")]
    [DataRow("tcp://", "tcp://host:port")]
    public void UnusableAddressesAreEndpointErrors(string address, string expected)
    {
        using var home = new TempDirectory();
        var error = Assert.ThrowsExactly<EngineException>(() => Discovery(home, new() { ["DOCKER_HOST"] = address }).Discover());
        Assert.AreEqual(EngineErrorCodes.EndpointInvalid, error.Code);
        StringAssert.Contains(error.Message, expected);
        StringAssert.Contains(error.Message, "DOCKER_HOST");
    }

    [TestMethod]
    public void BrokenConfigFileIsReportedWithoutItsContent()
    {
        using var home = new TempDirectory();
        home.Write(".docker/config.json", "{\"auths\": {\"r\": {\"auth\": \"c2VjcmV0\"}} garbage-secret");
        var error = Assert.ThrowsExactly<EngineException>(() => Discovery(home, new()).Discover());
        Assert.AreEqual(EngineErrorCodes.DockerConfigInvalid, error.Code);
        StringAssert.Contains(error.Message, "config.json");
        Assert.IsFalse(error.Message.Contains("c2VjcmV0", StringComparison.Ordinal));
        Assert.IsFalse(error.Message.Contains("garbage-secret", StringComparison.Ordinal));
    }
}
