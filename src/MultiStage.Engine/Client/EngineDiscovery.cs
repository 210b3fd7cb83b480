using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MultiStage.Engine.Client;

/// <summary>
/// Finds the engine the way the docker CLI does: an explicit endpoint, then DOCKER_HOST, then the current
/// docker context, then the default socket, then Podman's sockets. With LocalRegistry=Podman (the property of
/// Microsoft.NET.Build.Containers) Podman's sockets come right after DOCKER_HOST, and Docker's are not looked at.
/// </summary>
public sealed class EngineDiscovery
{
    private readonly Func<string, string?> _environment;
    private readonly string _homeDirectory;

    /// <summary>Discovery from the process environment and the user's home directory.</summary>
    public EngineDiscovery()
        : this(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
    {
    }

    /// <summary>Discovery from the given environment variables and home directory.</summary>
    public EngineDiscovery(Func<string, string?> environment, string homeDirectory)
    {
        _environment = environment;
        _homeDirectory = homeDirectory;
    }

    internal string DefaultSocketPath { get; init; } = "/var/run/docker.sock";

    internal string SystemPodmanSocketPath { get; init; } = "/run/podman/podman.sock";

    /// <summary>
    /// Chooses the engine endpoint. <paramref name="explicitEndpoint"/> wins when set: an address
    /// (unix:///path, tcp://host:port, npipe://./pipe/name, or an absolute socket path) or the name of a docker context.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE203 when a setting names an unusable address or a context that does not exist; MSTAGE309 when config.json is broken.</exception>
    public EngineEndpoint Discover(string? explicitEndpoint = null) => Discover(explicitEndpoint, null);

    /// <summary>
    /// Chooses the engine endpoint as <see cref="Discover(string?)"/> does; <paramref name="localRegistry"/> is
    /// LocalRegistry: empty or "Docker" for the docker CLI's order, "Podman" for Podman's sockets after DOCKER_HOST.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE227 when <paramref name="localRegistry"/> is another value; otherwise as <see cref="Discover(string?)"/>.</exception>
    public EngineEndpoint Discover(string? explicitEndpoint, string? localRegistry)
    {
        var podman = IsPodman(localRegistry);
        var configDirectory = DockerConfigFile.ResolveDirectory(_environment, _homeDirectory);

        if (!string.IsNullOrWhiteSpace(explicitEndpoint))
        {
            var value = explicitEndpoint.Trim();
            return LooksLikeAddress(value)
                ? FromAddress(value, "the explicit engine endpoint", TlsFromEnvironment(configDirectory))
                : FromContext(value, configDirectory, "the explicit docker context");
        }

        var dockerHost = _environment("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            return FromAddress(dockerHost.Trim(), "DOCKER_HOST", TlsFromEnvironment(configDirectory));
        }

        if (podman)
        {
            return Podman(required: true)!;
        }

        var contextName = _environment("DOCKER_CONTEXT");
        var contextSource = "DOCKER_CONTEXT";
        if (string.IsNullOrWhiteSpace(contextName))
        {
            contextName = DockerConfigFile.Load(configDirectory).CurrentContext;
            contextSource = "currentContext in " + Path.Combine(configDirectory, "config.json");
        }

        if (!string.IsNullOrWhiteSpace(contextName) && contextName != "default")
        {
            return FromContext(contextName.Trim(), configDirectory, contextSource);
        }

        return Default();
    }

    private EngineEndpoint Default()
    {
        if (OperatingSystem.IsWindows())
        {
            return new EngineEndpoint(new Uri("npipe://./pipe/docker_engine"), "the default named pipe");
        }

        if (File.Exists(DefaultSocketPath))
        {
            return new EngineEndpoint(UnixUri(DefaultSocketPath), "the default socket");
        }

        return Podman(required: false) ?? new EngineEndpoint(UnixUri(DefaultSocketPath), "the default socket")
        {
            // Nothing exists: name the default socket, and list what else was looked for.
            AlsoTried = PodmanSockets().Select(s => UnixUri(s).OriginalString).ToArray(),
        };
    }

    /// <summary>The rootless socket ($XDG_RUNTIME_DIR/podman/podman.sock), then the system one.</summary>
    private List<string> PodmanSockets()
    {
        var sockets = new List<string>();
        var runtimeDirectory = _environment("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDirectory))
        {
            sockets.Add(Path.Combine(runtimeDirectory, "podman", "podman.sock"));
        }

        sockets.Add(SystemPodmanSocketPath);
        return sockets;
    }

    /// <summary>The first Podman socket that exists; when none does, null, or with <paramref name="required"/> the first one looked for, naming the others.</summary>
    private EngineEndpoint? Podman(bool required)
    {
        var sockets = PodmanSockets();
        foreach (var socket in sockets)
        {
            if (File.Exists(socket))
            {
                return new EngineEndpoint(UnixUri(socket), "the Podman socket");
            }
        }

        return required
            ? new EngineEndpoint(UnixUri(sockets[0]), "the Podman socket (LocalRegistry=Podman)") { AlsoTried = sockets.Skip(1).Select(s => UnixUri(s).OriginalString).ToArray() }
            : null;
    }

    /// <summary>Whether LocalRegistry asks for Podman; its values are Microsoft.NET.Build.Containers' (Docker, Podman).</summary>
    /// <exception cref="EngineException">MSTAGE227 for another value.</exception>
    public static bool IsPodman(string? localRegistry)
    {
        var value = localRegistry?.Trim();
        if (string.IsNullOrEmpty(value) || string.Equals(value, "Docker", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (string.Equals(value, "Podman", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new EngineException(
            EngineErrorCodes.LocalRegistryInvalid,
            $"LocalRegistry is '{MultiStage.Diagnostics.CharacterNames.Escape(value.Length > 80 ? value[..80] + "…" : value)}', which names no engine this SDK knows. Use Docker or Podman (the values of Microsoft.NET.Build.Containers), or leave it empty to find the engine as the docker CLI does.");
    }

    private EngineEndpoint FromContext(string name, string configDirectory, string source)
    {
        if (name == "default")
        {
            return Default();
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
        var metaFile = Path.Combine(configDirectory, "contexts", "meta", hash, "meta.json");
        var what = $"docker context '{name}' (from {source})";
        if (!File.Exists(metaFile))
        {
            throw new EngineException(
                EngineErrorCodes.EndpointInvalid,
                $"The {what} does not exist: {metaFile} is missing. Run 'docker context ls' to see the contexts, or choose another one with 'docker context use'.");
        }

        string? host;
        bool skipTlsVerify;
        try
        {
            using var stream = File.OpenRead(metaFile);
            using var document = JsonDocument.Parse(stream);
            var docker = document.RootElement.GetProperty("Endpoints").GetProperty("docker");
            host = docker.TryGetProperty("Host", out var hostElement) && hostElement.ValueKind == JsonValueKind.String ? hostElement.GetString() : null;
            skipTlsVerify = docker.TryGetProperty("SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new EngineException(
                EngineErrorCodes.EndpointInvalid,
                $"The {what} cannot be read from {metaFile}: {ex.Message}. Recreate the context with 'docker context create'.",
                ex);
        }

        if (string.IsNullOrWhiteSpace(host))
        {
            throw new EngineException(
                EngineErrorCodes.EndpointInvalid,
                $"The {what} has no Endpoints.docker.Host in {metaFile}. Recreate the context with 'docker context create'.");
        }

        var tlsDirectory = Path.Combine(configDirectory, "contexts", "tls", hash, "docker");
        EngineTls? tls = null;
        string? Existing(string file) => File.Exists(Path.Combine(tlsDirectory, file)) ? Path.Combine(tlsDirectory, file) : null;
        var ca = Existing("ca.pem");
        var cert = Existing("cert.pem");
        var key = Existing("key.pem");
        if (ca is not null || cert is not null || key is not null)
        {
            tls = new EngineTls(ca, cert, key, VerifyServer: !skipTlsVerify);
        }

        // The npipe form some contexts store has one slash too many for System.Uri.
        return FromAddress(host.Replace("npipe:////./", "npipe://./"), what, tls);
    }

    private EngineTls? TlsFromEnvironment(string configDirectory)
    {
        // As the docker CLI: any non-empty DOCKER_TLS_VERIFY turns verification on, DOCKER_TLS turns TLS on.
        var verify = !string.IsNullOrEmpty(_environment("DOCKER_TLS_VERIFY"));
        var tls = verify || !string.IsNullOrEmpty(_environment("DOCKER_TLS"));
        if (!tls)
        {
            return null;
        }

        var certPath = _environment("DOCKER_CERT_PATH");
        if (string.IsNullOrEmpty(certPath))
        {
            certPath = configDirectory;
        }

        var cert = Path.Combine(certPath, "cert.pem");
        var key = Path.Combine(certPath, "key.pem");
        var ca = Path.Combine(certPath, "ca.pem");
        var hasClientCertificate = File.Exists(cert) || File.Exists(key);
        return new EngineTls(
            verify || File.Exists(ca) ? ca : null,
            hasClientCertificate ? cert : null,
            hasClientCertificate ? key : null,
            verify);
    }

    private static bool LooksLikeAddress(string value) => value.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(value);

    internal static EngineEndpoint FromAddress(string address, string source, EngineTls? tls)
    {
        try
        {
            return ParseAddress(address, source, tls);
        }
        catch (UriFormatException e)
        {
            // A host such as '..' passes Uri.TryCreate but not UriBuilder: refused with the code, not as an exception.
            throw Invalid(address, source, e.Message);
        }
    }

    private static EngineEndpoint ParseAddress(string address, string source, EngineTls? tls)
    {
        if (!address.Contains("://", StringComparison.Ordinal) && Path.IsPathRooted(address))
        {
            return new EngineEndpoint(UnixUri(address), source);
        }

        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? address[..schemeEnd].ToLowerInvariant() : string.Empty;
        switch (scheme)
        {
            case "unix":
                var path = address[(schemeEnd + 3)..];
                if (path.Length == 0 || path[0] != '/')
                {
                    throw Invalid(address, source, "a unix address needs an absolute socket path, e.g. unix:///var/run/docker.sock");
                }

                return new EngineEndpoint(UnixUri(path), source);
            case "npipe":
                return new EngineEndpoint(new Uri(address), source);
            case "tcp":
            case "http":
            case "https":
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                {
                    throw Invalid(address, source, "expected tcp://host:port");
                }

                if (scheme == "https" && tls is null)
                {
                    tls = new EngineTls(null, null, null, VerifyServer: true);
                }

                // The CLI's default ports: 2376 with TLS, 2375 without.
                var port = address.AsSpan(schemeEnd + 3).IndexOf(':') >= 0 ? uri.Port : tls is null ? 2375 : 2376;
                var builder = new UriBuilder("tcp", uri.Host, port);
                return new EngineEndpoint(builder.Uri, source, tls);
            case "ssh":
                throw Invalid(address, source, "ssh:// engines are not supported; forward the remote socket (ssh -L /tmp/docker.sock:/var/run/docker.sock host) and use unix:///tmp/docker.sock, or expose the engine on tcp with TLS");
            default:
                throw Invalid(address, source, "supported forms are unix:///path, tcp://host:port and npipe://./pipe/name");
        }
    }

    private static Uri UnixUri(string path) => new("unix://" + path);

    private static EngineException Invalid(string address, string source, string why)
    {
        return new EngineException(EngineErrorCodes.EndpointInvalid, $"The engine address '{address}' from {source} is not usable: {why}.");
    }
}
