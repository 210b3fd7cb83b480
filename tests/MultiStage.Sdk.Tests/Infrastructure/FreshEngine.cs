using System.Diagnostics;

namespace MultiStage.Sdk.Tests.Infrastructure;

/// <summary>
/// A second dockerd with its own data and exec roots on a unix socket: a fresh CI runner, whose build cache and image
/// store start empty, without pruning the shared engine's cache. Like the shared test engine, no bridge network: builds
/// and containers use the host's.
/// </summary>
public sealed class FreshEngine : IDisposable
{
    private readonly Process _dockerd;
    private readonly string _root;
    private readonly string _execRoot;

    private FreshEngine(Process dockerd, string root, string execRoot)
    {
        _dockerd = dockerd;
        _root = root;
        _execRoot = execRoot;
    }

    /// <summary>The engine's address, as DOCKER_HOST or MultiStageDockerHost take it.</summary>
    public string Host => $"unix://{Path.Combine(_root, "docker.sock")}";

    public static FreshEngine Start()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        // On the machine's disk (overlay2 cannot sit on an overlay /tmp); the exec root's socket paths must stay short.
        var root = Path.Combine("/var/lib", "multistage-fresh-engine-" + id);
        var execRoot = Path.Combine("/run", "msfe-" + id);
        Directory.CreateDirectory(root);
        var info = new ProcessStartInfo("dockerd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--data-root", Path.Combine(root, "data"), "--exec-root", execRoot, "--pidfile", Path.Combine(root, "dockerd.pid"),
            "-H", $"unix://{Path.Combine(root, "docker.sock")}", "--bridge=none", "--iptables=false", "--ip-masq=false",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var dockerd = Process.Start(info)!;
        dockerd.OutputDataReceived += (_, _) => { };
        dockerd.ErrorDataReceived += (_, _) => { };
        dockerd.BeginOutputReadLine();
        dockerd.BeginErrorReadLine();
        var engine = new FreshEngine(dockerd, root, execRoot);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (engine.Docker("version").ExitCode != 0)
        {
            if (dockerd.HasExited || DateTime.UtcNow > deadline)
            {
                engine.Dispose();
                Assert.Fail($"The fresh engine did not start (exit code {(dockerd.HasExited ? dockerd.ExitCode : "none")}).");
            }

            Thread.Sleep(500);
        }

        return engine;
    }

    /// <summary>The docker CLI against this engine.</summary>
    public ProcessResult Docker(params string[] arguments) =>
        ProcessRunner.Run(DockerCli.Executable, new[] { "-H", Host }.Concat(arguments), timeout: TimeSpan.FromMinutes(10));

    public void Dispose()
    {
        if (!_dockerd.HasExited)
        {
            _dockerd.Kill(entireProcessTree: true);
            _dockerd.WaitForExit(30_000);
        }

        _dockerd.Dispose();
        ProcessRunner.Run("umount", new[] { "-R", Path.Combine(_root, "data") });
        foreach (var path in new[] { _root, _execRoot })
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
