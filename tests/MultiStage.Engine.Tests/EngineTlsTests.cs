using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MultiStage.Engine.Client;
using MultiStage.Model;

namespace MultiStage.Engine.Tests;

/// <summary>
/// The remote-engine path for real: a second dockerd on 127.0.0.1 that only speaks TLS with client certificates
/// (a CA, server and client certificates made here with openssl), reached through DOCKER_HOST, DOCKER_TLS_VERIFY
/// and DOCKER_CERT_PATH as the docker CLI reads them.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineTlsTests
{
    private static string _root = "";
    private static int _port;
    private static Process? _dockerd;

    [ClassInitialize]
    public static void StartTlsEngine(TestContext context)
    {
        // The test engine must be up first: its setup installs dockerd and openssl on a fresh machine.
        EngineTestEnvironment.ConnectAsync().GetAwaiter().GetResult().Dispose();
        _root = Path.Combine("/var/lib", "multistage-tls-engine-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        var good = Directory.CreateDirectory(Path.Combine(_root, "certs")).FullName;
        var wrong = Directory.CreateDirectory(Path.Combine(_root, "wrong-certs")).FullName;
        MakeCertificates(good, wrong);

        _port = FreePort();
        var info = new ProcessStartInfo("dockerd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--data-root", Path.Combine(_root, "data"), "--exec-root", Path.Combine(_root, "exec"), "--pidfile", Path.Combine(_root, "dockerd.pid"),
            "-H", $"tcp://127.0.0.1:{_port}", "--tlsverify", "--tlscacert", Path.Combine(good, "ca.pem"),
            "--tlscert", Path.Combine(_root, "server-cert.pem"), "--tlskey", Path.Combine(_root, "server-key.pem"),
            "--bridge=none", "--iptables=false", "--ip-masq=false",
        })
        {
            info.ArgumentList.Add(arg);
        }

        _dockerd = Process.Start(info)!;
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                using var client = EngineClient.Create(Discover(good));
                client.GetInfoAsync().GetAwaiter().GetResult();
                return;
            }
            catch (EngineException) when (DateTime.UtcNow < deadline && !_dockerd.HasExited)
            {
                Thread.Sleep(500);
            }
        }
    }

    [ClassCleanup]
    public static void StopTlsEngine()
    {
        if (_dockerd is { HasExited: false })
        {
            _dockerd.Kill(entireProcessTree: true);
            _dockerd.WaitForExit(30_000);
        }

        Run("umount", "-R", Path.Combine(_root, "data"));
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [TestMethod]
    public async Task BuildsOnARemoteEngineOverTls()
    {
        var endpoint = Discover(Path.Combine(_root, "certs"));
        Assert.IsNotNull(endpoint.Tls);
        Assert.IsTrue(endpoint.Tls.VerifyServer, "DOCKER_TLS_VERIFY=1 verifies the engine's certificate");
        using var client = EngineClient.Create(endpoint);
        var result = await client.BuildAsync(
            new BuildRequest
            {
                Context = new InMemoryContext(("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\nLABEL remote=tls\n"), ("hello.txt", "hello over tls\n")),
                Repository = "mstage-test/tls",
                Tags = new[] { "1" },
            },
            new TestLog());
        StringAssert.StartsWith(result.ImageId, "sha256:");
        CollectionAssert.AreEqual(new[] { "mstage-test/tls:1" }, result.Tags.ToArray());
    }

    [TestMethod]
    public async Task BuildsWithASessionOverTls()
    {
        // The session connection and the build request that names it both go through the endpoint's TLS settings.
        using var client = EngineClient.Create(Discover(Path.Combine(_root, "certs")));
        var result = await client.BuildAsync(
            new BuildRequest
            {
                Context = new InMemoryContext(("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n"), ("hello.txt", "hello with a session\n")),
                Repository = "mstage-test/tls-session",
                Tags = new[] { "1" },
                Builder = BuilderKind.BuildKit,
                Secrets = new Dictionary<string, byte[]> { ["s1"] = "x"u8.ToArray() },
            },
            new TestLog());
        StringAssert.StartsWith(result.ImageId, "sha256:");
    }

    [TestMethod]
    public async Task AServerCertificateFromAnotherAuthorityIsRefused()
    {
        // The client trusts another CA than the one that signed the engine's certificate.
        using var client = EngineClient.Create(Discover(Path.Combine(_root, "wrong-certs")));
        var error = await Assert.ThrowsExactlyAsync<EngineException>(() => client.GetInfoAsync());
        Assert.AreEqual(EngineErrorCodes.EngineTls, error.Code, error.Message);
        StringAssert.Contains(error.Message, $"127.0.0.1:{_port}");
    }

    private static EngineEndpoint Discover(string certPath)
    {
        var environment = new Dictionary<string, string?>
        {
            ["DOCKER_HOST"] = $"tcp://127.0.0.1:{_port}",
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CERT_PATH"] = certPath,
        };
        return new EngineDiscovery(name => environment.GetValueOrDefault(name), Path.Combine(_root, "home")).Discover();
    }

    private static void MakeCertificates(string good, string wrong)
    {
        string P(string name) => Path.Combine(_root, name);
        Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=multistage-test-ca", "-keyout", P("ca-key.pem"), "-out", Path.Combine(good, "ca.pem"));
        Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another-ca", "-keyout", P("wrong-ca-key.pem"), "-out", Path.Combine(wrong, "ca.pem"));

        File.WriteAllText(P("server.ext"), "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
        Openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", P("server-key.pem"), "-out", P("server.csr"));
        Openssl("x509", "-req", "-in", P("server.csr"), "-CA", Path.Combine(good, "ca.pem"), "-CAkey", P("ca-key.pem"), "-CAcreateserial", "-days", "2", "-extfile", P("server.ext"), "-out", P("server-cert.pem"));

        File.WriteAllText(P("client.ext"), "extendedKeyUsage = clientAuth\n");
        Openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=client", "-keyout", Path.Combine(good, "key.pem"), "-out", P("client.csr"));
        Openssl("x509", "-req", "-in", P("client.csr"), "-CA", Path.Combine(good, "ca.pem"), "-CAkey", P("ca-key.pem"), "-CAcreateserial", "-days", "2", "-extfile", P("client.ext"), "-out", Path.Combine(good, "cert.pem"));
        File.Copy(Path.Combine(good, "cert.pem"), Path.Combine(wrong, "cert.pem"));
        File.Copy(Path.Combine(good, "key.pem"), Path.Combine(wrong, "key.pem"));
    }

    private static void Openssl(params string[] args)
    {
        var (code, output) = Run("openssl", args);
        Assert.AreEqual(0, code, "openssl " + string.Join(" ", args) + "\n" + output);
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
