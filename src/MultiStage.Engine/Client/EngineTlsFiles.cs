using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MultiStage.Engine.Client;

/// <summary>The certificates of a tcp endpoint's TLS settings, loaded from their PEM files.</summary>
internal sealed record EngineTlsFiles(X509Certificate2? ClientCertificate, X509Certificate2? Authority)
{
    /// <exception cref="EngineException">MSTAGE202 when a file cannot be read or is not a certificate or key.</exception>
    public static EngineTlsFiles Load(EngineEndpoint endpoint, EngineTls tls)
    {
        try
        {
            X509Certificate2? client = null;
            if (tls.ClientCertificateFile is not null && tls.ClientKeyFile is not null)
            {
                client = X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile);
                if (OperatingSystem.IsWindows())
                {
                    // SChannel needs the key in a persisted form to present the certificate.
                    client = new X509Certificate2(client.Export(X509ContentType.Pkcs12));
                }
            }

            var authority = tls.VerifyServer && tls.CaCertificateFile is not null
                ? X509Certificate2.CreateFromPem(File.ReadAllText(tls.CaCertificateFile))
                : null;
            return new EngineTlsFiles(client, authority);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw EngineFailures.Tls(endpoint, $"the certificate files cannot be loaded ({ex.Message.TrimEnd('.')})", ex);
        }
    }
}
