namespace MultiStage.Engine.Client;

/// <summary>A Docker (or Podman) Engine API address and how it was chosen.</summary>
public sealed record EngineEndpoint
{
    public EngineEndpoint(Uri uri, string source, EngineTls? tls = null)
    {
        Uri = uri;
        Source = source;
        Tls = tls;
    }

    /// <summary>unix:///path, npipe://./pipe/name or tcp://host:port.</summary>
    public Uri Uri { get; }

    /// <summary>Where the address came from, in words (e.g. "DOCKER_HOST", "docker context 'remote'", "default socket").</summary>
    public string Source { get; }

    /// <summary>TLS settings for a tcp endpoint; null for plain HTTP or a local socket.</summary>
    public EngineTls? Tls { get; }

    /// <summary>Other addresses that were looked at and not found, for error messages.</summary>
    public IReadOnlyList<string> AlsoTried { get; init; } = [];

    /// <summary>The address and its source, as error messages show it.</summary>
    public string Describe()
    {
        var text = $"{Uri.OriginalString} (from {Source})";
        return AlsoTried.Count == 0 ? text : $"{text}; also looked for {string.Join(", ", AlsoTried)}";
    }

    public override string ToString() => Describe();
}

/// <summary>TLS material for a tcp engine endpoint, as files in PEM format.</summary>
/// <param name="CaCertificateFile">ca.pem: the authority the engine's certificate must chain to; null to use the system store.</param>
/// <param name="ClientCertificateFile">cert.pem: the client certificate presented to the engine; null for none.</param>
/// <param name="ClientKeyFile">key.pem: the private key of the client certificate.</param>
/// <param name="VerifyServer">Whether the engine's certificate is checked (DOCKER_TLS_VERIFY); false accepts any certificate.</param>
public sealed record EngineTls(string? CaCertificateFile, string? ClientCertificateFile, string? ClientKeyFile, bool VerifyServer);
