using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace MultiStage.Engine.Client;

/// <summary>Turns an <see cref="EngineEndpoint"/> into Docker.DotNet clients: address checks and TLS setup.</summary>
internal static class EngineConnection
{
    /// <summary>
    /// A factory of clients for <paramref name="endpoint"/>, each sending the given extra headers on every request.
    /// The TLS files are loaded once, here.
    /// </summary>
    /// <exception cref="EngineException">MSTAGE202 when the TLS files cannot be loaded; MSTAGE203 for an unsupported address.</exception>
    public static Func<IReadOnlyDictionary<string, string>, DockerClient> ClientFactory(EngineEndpoint endpoint)
    {
        var uri = endpoint.Uri;
        if (uri.Scheme is not ("unix" or "npipe" or "tcp"))
        {
            throw new EngineException(EngineErrorCodes.EndpointInvalid, $"The engine address {endpoint.Describe()} has an unsupported scheme; use unix://, npipe:// or tcp://.");
        }

        var tlsCredentials = endpoint.Tls is { } tls ? CreateTlsCredentials(endpoint, tls) : null;
        return headers =>
        {
            // A fixed configuration keeps Docker.DotNet from reading DOCKER_HOST or config.json itself: discovery is ours.
            var builder = new DockerClientBuilder(new DockerConfig(new FixedCliSettings(uri.OriginalString))).WithEndpoint(uri).WithHeaders(headers);
            if (tlsCredentials is not null)
            {
                builder = builder.WithAuthProvider(tlsCredentials);
            }

            return builder.Build();
        };
    }

    private static CertificateCredentials CreateTlsCredentials(EngineEndpoint endpoint, EngineTls tls)
    {
        var files = EngineTlsFiles.Load(endpoint, tls);
        return new CertificateCredentials(files.ClientCertificate)
        {
            ServerCertificateValidationCallback = CreateServerValidation(tls.VerifyServer, files.Authority),
        };
    }

    internal static RemoteCertificateValidationCallback CreateServerValidation(bool verify, X509Certificate2? authority)
    {
        return (_, certificate, _, errors) =>
        {
            if (!verify)
            {
                return true;
            }

            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            if (authority is null)
            {
                return errors == SslPolicyErrors.None;
            }

            // ca.pem is the only trusted root, as for the docker CLI.
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }

    internal sealed class FixedCliSettings(string host) : IDockerCliSettings
    {
        public string? DockerConfig => null;

        public string? DockerHost => host;

        public string? DockerTlsVerify => null;

        public string? DockerContext => null;
    }
}
